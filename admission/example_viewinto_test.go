package admission_test

import (
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// One ExpertView serves a whole list of experts: each ViewInto refills it.
func ExampleExpert_ViewInto() {
	experts := []admission.Expert{
		{ID: "E001", Categories: []admission.Category{admission.Technical, admission.Economic}},
		{ID: "E002"},
		{ID: "E003", Categories: []admission.Category{admission.Strategy}},
	}
	var v admission.ExpertView
	for i := range experts {
		experts[i].ViewInto(&v)
		fmt.Println(v.ID, v.Categories, v.Categories == nil)
	}
	// Output:
	// E001 [technical economic] false
	// E002 [] true
	// E003 [strategy] false
}

// A draw screens its whole pool on one activity date with one Screen: each expert's view is
// built once (ViewInto) and read by the admission rules without another copy of the
// environment per expert.
func ExampleScreen() {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	experts := []admission.Expert{
		{ID: "E001", Status: admission.Active, Title: admission.Senior, BirthDate: time.Date(1970, 5, 1, 0, 0, 0, 0, time.UTC),
			Categories: []admission.Category{admission.Technical}, Credentials: []admission.Credential{{Kind: "political-quality"}}},
		{ID: "E002", Status: admission.Active, Title: admission.Senior, BirthDate: time.Date(1958, 5, 1, 0, 0, 0, 0, time.UTC),
			Categories: []admission.Category{admission.Technical}, Credentials: []admission.Credential{{Kind: "political-quality"}}},
	}
	sc := admission.NewScreen(nil, at) // nil: DefaultRules
	defer sc.Close()
	var v admission.ExpertView
	for i := range experts {
		experts[i].ViewInto(&v)
		for _, f := range sc.DrawableView(&experts[i], &v, nil) {
			fmt.Println(experts[i].ID, f.Code)
		}
	}
	// Output:
	// E002 age
}

// A caller whose expressions read a few fields fills only those: the admission rules' own
// (Rules.ViewFields) and, here, the region a county rule reads.
func ExampleExpert_ViewIntoFields() {
	fields := admission.DefaultRules().ViewFields() | admission.ViewFieldsOf("Region")
	e := admission.Expert{ID: "E001", Name: "张三", Region: "330302", Title: admission.Senior}
	var v admission.ExpertView
	e.ViewIntoFields(&v, fields)
	fmt.Println(v.Region, v.Title, v.Name == "")
	// Output:
	// 330302 4 true
}
