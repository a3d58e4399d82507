package selection_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

// examplePool is twelve experts in four units; E00, E03, E06 and E09 are economic experts.
func examplePool() selection.Pool {
	p := selection.Pool{Usage: map[string]int{"E05": 10}} // E05 reached the annual cap
	for i := range 12 {
		cats := []admission.Category{admission.Technical}
		creds := []admission.Credential{{Kind: "political-quality"}}
		if i%3 == 0 {
			cats = append(cats, admission.Economic)
			creds = append(creds, admission.Credential{Kind: "fund-management"}, admission.Credential{Kind: "finance-senior-title"})
		}
		p.Experts = append(p.Experts, admission.Expert{
			ID: fmt.Sprintf("E%02d", i), Name: "专家", Status: admission.Active,
			BirthDate:   time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
			Affiliation: admission.Affiliation{Org: fmt.Sprintf("单位%d", i%4), Kind: admission.University},
			Title:       admission.Senior, Categories: cats, Credentials: creds,
		})
	}
	return p
}

func exampleRequest() selection.Request {
	return selection.Request{
		ID: "WZ-2025-0610", Size: 3, At: time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC),
		Project:  conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "E07", Name: "项目负责人"}},
		Criteria: `expert.Title >= AssociateSenior`,
		Quotas:   []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1, Max: 1}},
		Groups:   []selection.GroupCap{{Name: "unit", Key: `expert.Affiliation.Org`, Max: 1}},
	}
}

func ExampleDraw() {
	entropy := selection.Entropy{Sources: [][]uint64{
		selection.LotterySource(3, 17, 22, 29, 31, 35, 12), // a lottery result announced in advance
	}}
	res, err := selection.Draw(exampleRequest(), examplePool(), entropy, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Panel {
		fmt.Println("panel", p.ExpertID, "round", p.Round)
	}
	for _, x := range res.Excluded {
		fmt.Println("excluded", x.ExpertID, x.Article, x.Code)
	}
	fmt.Println("alternate", res.Reserve[0].ExpertID)
	fmt.Println("key", res.Key[len(res.Key)-21:])
	// Output:
	// panel E00 round 0
	// panel E02 round 1
	// panel E11 round 4
	// excluded E05 Art. 14(1) annual-cap
	// excluded E07 Art. 15(1) project-leader
	// alternate E04
	// key 3.12.17.22.29.31.35./
}

func ExampleCampaign() {
	prep, err := selection.Prepare(exampleRequest(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	entropy := selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}}
	c, err := selection.NewCampaign(prep, examplePool(), entropy, 24*time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	codes := bytes.NewReader(bytes.Repeat([]byte{0x12, 0x34, 0x56, 0x78}, 16)) // use crypto/rand.Reader in production
	start := time.Date(2025, 6, 5, 9, 0, 0, 0, time.UTC)
	notices, _ := c.Start(start, codes)
	for _, n := range notices {
		fmt.Println("notified", n.ExpertID)
	}
	ledger := selection.NewMemoryLedger()
	ctx := context.Background()
	// The first expert declines: the field is unfamiliar (Art. 7(4)). The vacancy is filled
	// from the continuing sequence under the same structure.
	refill, _ := c.Decline(notices[0].ExpertID, notices[0].Code, "不熟悉该领域", true, start.Add(time.Hour), codes)
	for _, n := range refill {
		fmt.Println("refill", n.ExpertID)
		notices = append(notices, n)
	}
	for _, n := range notices[1:] {
		if _, err := c.Accept(ctx, ledger, n.ExpertID, n.Code, "承诺书已签署", start.Add(2*time.Hour), codes); err != nil {
			fmt.Println(err)
		}
	}
	for _, s := range c.Seats() {
		fmt.Println(s.ExpertID, s.Status)
	}
	fmt.Println("complete", c.Complete())
	// Output:
	// notified E00
	// notified E02
	// notified E11
	// refill E09
	// E00 declined
	// E02 accepted
	// E11 accepted
	// E09 accepted
	// complete true
}
