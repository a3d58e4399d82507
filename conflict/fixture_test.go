package conflict_test

import (
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
)

// Realistic units around Wenzhou. Credit codes are made-up but well-formed in shape.
var (
	asOf = date(2025, 6, 1)

	wzu = func(dept string) admission.Affiliation {
		return admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: dept}
	}
	wmu = func(dept string) admission.Affiliation {
		return admission.Affiliation{Org: "温州医科大学", Kind: admission.University, Department: dept}
	}
	ucasWZ     = admission.Affiliation{Org: "中国科学院大学温州研究院（温州生物材料与工程研究所）", Kind: admission.Institute}
	nimte      = admission.Affiliation{Org: "中国科学院宁波材料技术与工程研究所", Kind: admission.Institute}
	chint      = admission.Affiliation{Org: "正泰集团股份有限公司", OrgCode: "91330000142940946G", Kind: admission.Enterprise}
	abb        = admission.Affiliation{Org: "ＡＢＢ（中国）有限公司", Kind: admission.Enterprise}
	wzst       = admission.Affiliation{Org: "温州市科学技术局", Kind: admission.Government}
	wmuHosp1   = admission.Affiliation{Org: "温州医科大学附属第一医院", Kind: admission.Hospital}
	ruianHosp  = admission.Affiliation{Org: "瑞安市人民医院", Kind: admission.Hospital}
	wzuChem    = wzu("化学与材料工程学院")
	wzuCompSci = wzu("计算机与人工智能学院")
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// project is a typical project: a university leader and four members from an institute, an
// enterprise, a hospital and a government body.
func project() conflict.Project {
	return conflict.Project{
		ID:     "XM-2025-0042",
		Region: "330302",
		Leader: conflict.Person{ID: "P-LEAD", Name: "陈建华", IDNumber: "330302198001011230", Affiliation: wzuChem},
		Members: []conflict.Person{
			{ID: "P-M1", Name: "李明", IDNumber: "330302198505052343", Affiliation: ucasWZ},
			{ID: "P-M2", Name: "王芳", Affiliation: chint},
			{ID: "P-M3", Name: "欧阳晓明", Affiliation: wmuHosp1},
			{ID: "P-M4", Name: "张伟", Affiliation: wzst},
		},
	}
}

// expert returns an unrelated expert in a unit no project member belongs to.
func expert(id string) admission.Expert {
	return admission.Expert{ID: id, Name: "赵磊", IDNumber: "330328199008150127", Affiliation: ruianHosp,
		Region: "330381", Status: admission.Active}
}

// codes returns the (clause, code, concerns) of each conflict.
func codes(cs []conflict.Conflict) []string {
	var out []string
	for _, c := range cs {
		s := c.Article + " " + c.Code
		if c.Concerns != "" {
			s += " " + c.Concerns
		}
		if !c.Definite {
			s += " (possible)"
		}
		out = append(out, s)
	}
	return out
}
