package admission_test

import (
	"fmt"

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
