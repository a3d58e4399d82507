package synth

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/wzsti/expertdb/admission"
)

// Field codes of the synthetic pool (Expert.Fields), with their Chinese labels in FieldLabel.
// They follow the industries Wenzhou is known for (electrical equipment, pumps and valves,
// footwear, eyewear, auto parts, lasers) and its public research (medicine, materials, the sea).
const (
	FieldElectrical      = "electrical"
	FieldManufacturing   = "intelligent-manufacturing"
	FieldMaterials       = "new-materials"
	FieldPumpsValves     = "pumps-valves"
	FieldAutoParts       = "auto-parts"
	FieldLaser           = "laser-optoelectronics"
	FieldOptometry       = "optometry"
	FieldFootwear        = "footwear-leather"
	FieldBiomedicine     = "biomedicine"
	FieldClinical        = "clinical-medicine"
	FieldPublicHealth    = "public-health"
	FieldIT              = "information-technology"
	FieldAI              = "artificial-intelligence"
	FieldDigitalEconomy  = "digital-economy"
	FieldMarine          = "marine"
	FieldAgriculture     = "modern-agriculture"
	FieldEnvironment     = "ecology-environment"
	FieldNewEnergy       = "new-energy"
	FieldSemiconductors  = "semiconductors"
	FieldPrinting        = "printing-packaging"
	FieldCivil           = "civil-engineering"
	FieldChemistry       = "chemistry"
	FieldFinance         = "finance-accounting"
	FieldSciencePolicy   = "science-policy"
	FieldIndustryEconomy = "industrial-economics"
)

var fieldLabels = map[string]string{
	FieldElectrical: "电气工程", FieldManufacturing: "智能制造", FieldMaterials: "新材料",
	FieldPumpsValves: "泵阀与流体机械", FieldAutoParts: "汽车零部件", FieldLaser: "激光与光电",
	FieldOptometry: "眼视光", FieldFootwear: "鞋革与轻工", FieldBiomedicine: "生物医药",
	FieldClinical: "临床医学", FieldPublicHealth: "公共卫生", FieldIT: "信息技术",
	FieldAI: "人工智能", FieldDigitalEconomy: "数字经济", FieldMarine: "海洋科学与装备",
	FieldAgriculture: "现代农业", FieldEnvironment: "生态环境", FieldNewEnergy: "新能源",
	FieldSemiconductors: "集成电路", FieldPrinting: "印刷包装", FieldCivil: "土木与建筑",
	FieldChemistry: "化学化工", FieldFinance: "财务会计", FieldSciencePolicy: "科技政策与管理",
	FieldIndustryEconomy: "产业经济",
}

// FieldLabel returns the Chinese label of a field code of the synthetic pool, or the code
// itself when it is not one.
func FieldLabel(code string) string {
	if l, ok := fieldLabels[code]; ok {
		return l
	}
	return code
}

// Dept is a department of a unit (院系, 科室, 部门) and the fields its people work in.
type Dept struct {
	Name   string
	Fields []string
}

// Unit is a fictional unit of the synthetic pool. Names are invented in the style of Wenzhou
// units (universities, institutes, enterprises, hospitals, public bodies, financial firms);
// region codes are real GB/T 2260 codes of Wenzhou's districts and counties (3303xx), and
// Code is a well-formed unified social credit code (GB 32100-2015) with a correct check
// character, but it identifies no registered organisation.
type Unit struct {
	Name   string
	Code   string
	Kind   admission.OrgKind
	Region string
	// Depts are the departments whose people are technical experts.
	Depts []Dept
	// Finance is the finance (audit) department, where the unit's economic experts work.
	Finance string
	// Office is the management office (科技处, 院办, 总经理办公室 …) of its management experts.
	Office string
}

// Regions are the GB/T 2260 codes of Wenzhou's districts and counties with their names.
var Regions = map[string]string{
	"330302": "鹿城区", "330303": "龙湾区", "330304": "瓯海区", "330305": "洞头区",
	"330324": "永嘉县", "330326": "平阳县", "330327": "苍南县", "330328": "文成县",
	"330329": "泰顺县", "330381": "瑞安市", "330382": "乐清市", "330383": "龙港市",
}

// catalogue lists every unit; Units adds the credit codes.
var catalogue = []Unit{
	// Universities (高校): same department of the same university conflicts (Art. 15(3)).
	{Name: "瓯江大学", Kind: admission.University, Region: "330304", Finance: "财务处", Office: "科学技术处", Depts: []Dept{
		{"机电工程学院", []string{FieldManufacturing, FieldElectrical}},
		{"化学与材料工程学院", []string{FieldMaterials, FieldChemistry}},
		{"计算机与人工智能学院", []string{FieldAI, FieldIT}},
		{"生命与环境科学学院", []string{FieldEnvironment, FieldBiomedicine}},
		{"经济与管理学院", []string{FieldIndustryEconomy, FieldDigitalEconomy}},
		{"建筑工程学院", []string{FieldCivil}},
		{"电气与电子工程学院", []string{FieldElectrical, FieldSemiconductors}},
	}},
	{Name: "东瓯医科大学", Kind: admission.University, Region: "330304", Finance: "财务处", Office: "科技处", Depts: []Dept{
		{"药学院", []string{FieldBiomedicine, FieldChemistry}},
		{"基础医学院", []string{FieldBiomedicine}},
		{"眼视光学院", []string{FieldOptometry, FieldClinical}},
		{"公共卫生与管理学院", []string{FieldPublicHealth}},
		{"检验医学院", []string{FieldClinical, FieldBiomedicine}},
	}},
	{Name: "温州滨海理工学院", Kind: admission.University, Region: "330303", Finance: "计划财务处", Office: "科研处", Depts: []Dept{
		{"智能制造学院", []string{FieldManufacturing, FieldAutoParts}},
		{"数字经济学院", []string{FieldDigitalEconomy, FieldIT}},
		{"设计艺术学院", []string{FieldFootwear, FieldPrinting}},
		{"新能源学院", []string{FieldNewEnergy, FieldElectrical}},
	}},
	{Name: "雁荡职业技术学院", Kind: admission.University, Region: "330382", Finance: "财务处", Office: "科研与社会服务处", Depts: []Dept{
		{"机械工程系", []string{FieldManufacturing, FieldPumpsValves}},
		{"电气工程系", []string{FieldElectrical}},
	}},

	// Research institutes (科研院所): the same institute conflicts.
	{Name: "瓯江新材料研究院", Kind: admission.Institute, Region: "330303", Finance: "财务部", Office: "院办公室", Depts: []Dept{
		{"高分子材料研究室", []string{FieldMaterials, FieldChemistry}},
		{"金属材料研究室", []string{FieldMaterials, FieldAutoParts}},
	}},
	{Name: "浙南激光与光电研究院", Kind: admission.Institute, Region: "330303", Finance: "财务部", Office: "院办公室", Depts: []Dept{
		{"激光加工研究室", []string{FieldLaser, FieldManufacturing}},
		{"光电器件研究室", []string{FieldLaser, FieldSemiconductors}},
	}},
	{Name: "东海生命健康研究院", Kind: admission.Institute, Region: "330304", Finance: "财务部", Office: "科研管理部", Depts: []Dept{
		{"创新药物研究中心", []string{FieldBiomedicine}},
		{"医疗器械研究中心", []string{FieldBiomedicine, FieldClinical}},
	}},
	{Name: "瓯越智能制造研究所", Kind: admission.Institute, Region: "330382", Finance: "财务部", Office: "所办公室", Depts: []Dept{
		{"智能装备研究室", []string{FieldManufacturing, FieldElectrical}},
		{"工业软件研究室", []string{FieldIT, FieldManufacturing}},
	}},
	{Name: "洞头海洋资源研究所", Kind: admission.Institute, Region: "330305", Finance: "财务室", Office: "所办公室", Depts: []Dept{
		{"海洋生态研究室", []string{FieldMarine, FieldEnvironment}},
		{"海洋装备研究室", []string{FieldMarine, FieldManufacturing}},
	}},
	{Name: "浙南现代农业研究院", Kind: admission.Institute, Region: "330326", Finance: "财务室", Office: "院办公室", Depts: []Dept{
		{"作物育种研究室", []string{FieldAgriculture}},
		{"农产品加工研究室", []string{FieldAgriculture, FieldBiomedicine}},
	}},
	{Name: "瓯江科技战略研究院", Kind: admission.Institute, Region: "330302", Finance: "财务部", Office: "院办公室", Depts: []Dept{
		{"科技政策研究所", []string{FieldSciencePolicy}},
		{"产业发展研究所", []string{FieldIndustryEconomy, FieldDigitalEconomy}},
	}},

	// Enterprises (企业): the same enterprise conflicts.
	{Name: "浙江澜舟电气股份有限公司", Kind: admission.Enterprise, Region: "330382", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"研究院", []string{FieldElectrical, FieldNewEnergy}}, {"智能制造部", []string{FieldManufacturing}}}},
	{Name: "乐清泓晟低压电器有限公司", Kind: admission.Enterprise, Region: "330382", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术中心", []string{FieldElectrical}}}},
	{Name: "乐清极芯半导体有限公司", Kind: admission.Enterprise, Region: "330382", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"芯片设计部", []string{FieldSemiconductors, FieldIT}}}},
	{Name: "温州曜石智能装备有限公司", Kind: admission.Enterprise, Region: "330303", Finance: "财务中心", Office: "总裁办", Depts: []Dept{
		{"研发中心", []string{FieldManufacturing, FieldAI}}}},
	{Name: "永嘉启岩泵业有限公司", Kind: admission.Enterprise, Region: "330324", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术中心", []string{FieldPumpsValves}}}},
	{Name: "浙江峻拓流体科技股份有限公司", Kind: admission.Enterprise, Region: "330324", Finance: "财务部", Office: "董事会办公室", Depts: []Dept{
		{"研究院", []string{FieldPumpsValves, FieldMaterials}}}},
	{Name: "温州鹿鸣鞋业有限公司", Kind: admission.Enterprise, Region: "330302", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"设计研发中心", []string{FieldFootwear}}}},
	{Name: "浙江屹远新材料股份有限公司", Kind: admission.Enterprise, Region: "330381", Finance: "财务部", Office: "董事会办公室", Depts: []Dept{
		{"技术研究院", []string{FieldMaterials, FieldChemistry}}}},
	{Name: "瑞安博川汽车部件有限公司", Kind: admission.Enterprise, Region: "330381", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术中心", []string{FieldAutoParts, FieldManufacturing}}}},
	{Name: "温州锐瞳光学科技有限公司", Kind: admission.Enterprise, Region: "330304", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"光学研发部", []string{FieldOptometry, FieldLaser}}}},
	{Name: "浙江灵犀激光科技有限公司", Kind: admission.Enterprise, Region: "330303", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"激光研究院", []string{FieldLaser, FieldManufacturing}}}},
	{Name: "温州启明数字科技有限公司", Kind: admission.Enterprise, Region: "330302", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"数据智能部", []string{FieldIT, FieldAI, FieldDigitalEconomy}}}},
	{Name: "浙江云栖海洋装备有限公司", Kind: admission.Enterprise, Region: "330305", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"工程技术部", []string{FieldMarine, FieldManufacturing}}}},
	{Name: "苍南星禾印刷包装有限公司", Kind: admission.Enterprise, Region: "330327", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术部", []string{FieldPrinting, FieldMaterials}}}},
	{Name: "龙港汇彩新材料有限公司", Kind: admission.Enterprise, Region: "330383", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"研发中心", []string{FieldMaterials, FieldPrinting}}}},
	{Name: "平阳睿丰机械有限公司", Kind: admission.Enterprise, Region: "330326", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术部", []string{FieldManufacturing}}}},
	{Name: "温州瑞康生物医药有限公司", Kind: admission.Enterprise, Region: "330303", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"药物研究院", []string{FieldBiomedicine, FieldChemistry}}}},
	{Name: "浙江恒拓新能源科技有限公司", Kind: admission.Enterprise, Region: "330381", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"储能研究院", []string{FieldNewEnergy, FieldElectrical}}}},
	{Name: "泰顺山语生态农业开发有限公司", Kind: admission.Enterprise, Region: "330329", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术部", []string{FieldAgriculture, FieldEnvironment}}}},
	{Name: "文成青岚茶业有限公司", Kind: admission.Enterprise, Region: "330328", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"技术部", []string{FieldAgriculture}}}},

	// Hospitals (医院): Art. 15(3) does not name them; the same unit is a clause (5) conflict
	// under the default conflict rules.
	{Name: "温州东瓯人民医院", Kind: admission.Hospital, Region: "330302", Finance: "财务科", Office: "科研处", Depts: []Dept{
		{"心血管内科", []string{FieldClinical}}, {"检验科", []string{FieldClinical, FieldBiomedicine}},
		{"药剂科", []string{FieldBiomedicine}}}},
	{Name: "鹿城中心医院", Kind: admission.Hospital, Region: "330302", Finance: "财务科", Office: "科教科", Depts: []Dept{
		{"骨科", []string{FieldClinical}}, {"预防保健科", []string{FieldPublicHealth}}}},
	{Name: "东瓯医科大学附属眼视光医院", Kind: admission.Hospital, Region: "330304", Finance: "财务科", Office: "科研处", Depts: []Dept{
		{"屈光中心", []string{FieldOptometry, FieldClinical}}}},
	{Name: "瑞安滨江医院", Kind: admission.Hospital, Region: "330381", Finance: "财务科", Office: "科教科", Depts: []Dept{
		{"普外科", []string{FieldClinical}}, {"疾病预防科", []string{FieldPublicHealth}}}},
	{Name: "乐清雁荡医院", Kind: admission.Hospital, Region: "330382", Finance: "财务科", Office: "科教科", Depts: []Dept{
		{"神经内科", []string{FieldClinical}}}},

	// Public bodies (政府机关、事业单位).
	{Name: "瓯江口新区科技创新服务中心", Kind: admission.Government, Region: "330303", Finance: "综合财务科", Office: "主任办公室", Depts: []Dept{
		{"产业促进科", []string{FieldSciencePolicy, FieldIndustryEconomy}}}},
	{Name: "乐清市智能电气产业服务中心", Kind: admission.Government, Region: "330382", Finance: "综合科", Office: "主任办公室", Depts: []Dept{
		{"技术服务科", []string{FieldElectrical, FieldSciencePolicy}}}},
	{Name: "瑞安市汽摩配产业创新服务中心", Kind: admission.Government, Region: "330381", Finance: "综合科", Office: "主任办公室", Depts: []Dept{
		{"创新服务科", []string{FieldAutoParts, FieldSciencePolicy}}}},
	{Name: "永嘉县泵阀产业发展中心", Kind: admission.Government, Region: "330324", Finance: "综合科", Office: "主任办公室", Depts: []Dept{
		{"技术服务科", []string{FieldPumpsValves, FieldSciencePolicy}}}},
	{Name: "温州市科技成果转化服务中心", Kind: admission.Government, Region: "330302", Finance: "财务科", Office: "主任办公室", Depts: []Dept{
		{"成果转化科", []string{FieldSciencePolicy, FieldDigitalEconomy}}}},

	// Financial firms (金融、创投机构).
	{Name: "温州澜海银行股份有限公司", Kind: admission.Financial, Region: "330302", Finance: "计划财务部", Office: "行长办公室", Depts: []Dept{
		{"科技金融部", []string{FieldFinance, FieldIndustryEconomy}}}},
	{Name: "东瓯证券股份有限公司", Kind: admission.Financial, Region: "330302", Finance: "财务部", Office: "总裁办公室", Depts: []Dept{
		{"投资银行部", []string{FieldFinance}}}},
	{Name: "瓯越创业投资有限公司", Kind: admission.Financial, Region: "330303", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"投资部", []string{FieldFinance, FieldDigitalEconomy}}}},
	{Name: "雁荡财产保险股份有限公司温州分公司", Kind: admission.Financial, Region: "330302", Finance: "财务部", Office: "总经理室", Depts: []Dept{
		{"科技保险部", []string{FieldFinance}}}},
	{Name: "鹿城科技融资担保有限公司", Kind: admission.Financial, Region: "330302", Finance: "财务部", Office: "总经理办公室", Depts: []Dept{
		{"业务部", []string{FieldFinance, FieldIndustryEconomy}}}},
}

// Units returns every unit of the synthetic pool, with its unified social credit code. The
// list and the codes are fixed (they do not depend on the seed). The slice is freshly
// allocated.
func Units() []Unit {
	out := make([]Unit, len(catalogue))
	for i, u := range catalogue {
		u.Code = creditCode(u)
		u.Depts = slices.Clone(u.Depts)
		out[i] = u
	}
	return out
}

// usccAlphabet is the alphabet of GB 32100-2015 (no I, O, S, V, Z).
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode builds a unified social credit code for u: the registration authority and
// organisation type (91 enterprise, 12 public institution, 11 government organ), the region,
// a nine-character organisation code derived from the name, and the check character computed
// by admission.USCCCheckChar.
func creditCode(u Unit) string {
	prefix := "91"
	switch u.Kind {
	case admission.University, admission.Institute, admission.Hospital:
		prefix = "12"
	case admission.Government:
		prefix = "11"
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(u.Name))
	x := h.Sum64()
	org := make([]byte, 9)
	for i := range org {
		// Organisation codes are mostly digits; the eighth place is often a letter.
		if i == 7 {
			org[i] = usccAlphabet[10+x%21]
		} else {
			org[i] = usccAlphabet[x%10]
		}
		x /= 31
	}
	first := prefix + u.Region + string(org)
	c, ok := admission.USCCCheckChar(first)
	if !ok {
		panic(fmt.Sprintf("synth: credit code of %s: %q is outside the alphabet", u.Name, first))
	}
	return first + string(c)
}
