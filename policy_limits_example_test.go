package expertdb_test

import (
	"errors"
	"fmt"

	"github.com/wzsti/expertdb"
)

// A county profile may tighten the city limits, not loosen them (Art. 13); the city profile
// names what counties may loosen, and every deviation says what allowed it.
func ExampleLoadPolicyWith() {
	county := []byte("name: 瑞安市科技专家库使用细则\nregion: \"330381\"\nfiling: 瑞科〔2026〕5号\nselection:\n  annual_cap: 12\n")
	_, err := expertdb.LoadPolicy(county)
	var pe *expertdb.PolicyError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Code, pe.Path)
	}
	city, err := expertdb.LoadPolicy([]byte("name: 温州市科技专家库使用规则\nregion: \"330300\"\nfiling: 温科发〔2024〕2号\nallow: [selection.annual_cap]\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := expertdb.LoadPolicyWith(county, expertdb.UnderCity(city))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range p.Deviations() {
		fmt.Println(d.Path, d.Value, "←", d.AllowedBy)
	}
	fmt.Println("draft:", p.Draft())
	// Output:
	// 5 city-limit selection.annual_cap
	// selection.annual_cap 12 ← 市级规则《温州市科技专家库使用规则》（温科发〔2024〕2号）allow 列表
	// draft: false
}
