package synth

import (
	"fmt"
	"slices"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// DefaultSize is the number of applications Generate makes when Options.Size is 0.
const DefaultSize = 2000

// cst is China Standard Time, the wall clock of Wenzhou.
var cst = time.FixedZone("CST", 8*3600)

// DefaultAsOf returns the review date of the synthetic applications when Options.AsOf is
// zero: 2 March 2026, 09:00 China Standard Time.
func DefaultAsOf() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, cst) }

// Options configure Generate.
type Options struct {
	// Seed selects the pool: the same seed (with the same Size and AsOf) gives the same pool,
	// byte for byte, on every platform.
	Seed uint64
	// Size is the number of applications; 0 means DefaultSize.
	Size int
	// AsOf is the date the bureau reviews the applications: every applicant is eligible on it
	// (Art. 5) and every piece of evidence is dated on or before it. Zero means DefaultAsOf().
	AsOf time.Time
}

// Pool is a synthetic expert database in the making: applications through every channel of
// Art. 6, each of which admission.Admit accepts on AsOf under admission.DefaultRules.
type Pool struct {
	Seed         uint64
	AsOf         time.Time
	Applications []admission.Application
}

// Generate builds a deterministic synthetic pool: o.Size applications of realistic but
// fictional experts (see the package documentation). Generation is prefix-stable: the first k
// applications of a pool of size n > k are the pool of size k with the same seed.
func Generate(o Options) *Pool {
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	if o.AsOf.IsZero() {
		o.AsOf = DefaultAsOf()
	}
	g := &generator{seed: o.Seed, asOf: o.AsOf, units: Units(), ids: map[string]bool{}, mobiles: map[string]bool{}}
	p := &Pool{Seed: o.Seed, AsOf: o.AsOf, Applications: make([]admission.Application, o.Size)}
	for i := range p.Applications {
		p.Applications[i] = g.application(i)
	}
	return p
}

// Experts returns the profiles of the applications, in order (as submitted: not yet Active).
func (p *Pool) Experts() []admission.Expert {
	out := make([]admission.Expert, len(p.Applications))
	for i, a := range p.Applications {
		out[i] = a.Expert
	}
	return out
}

// ExpertID returns the ID of the i-th (0-based) expert of every synthetic pool: "E00001" for
// i = 0. IDs sort in generation order.
func ExpertID(i int) string { return fmt.Sprintf("E%05d", i+1) }

// Divisions are the business divisions (业务处室) of the city bureau that invite experts
// (Art. 6(2)), request draws and rate experts (Art. 25) in the synthetic data.
var Divisions = []string{"高新技术处", "农村科技处", "社会发展科技处", "成果转化与区域创新处", "科技合作处"}

// divisionLeaders are the (fictional) leaders who approve the divisions' invitations.
var divisionLeaders = []string{"郑国强", "林晓东", "潘慧敏", "黄志远", "金雅琴"}

// exchangeDatabases are the databases experts come from through exchange (Art. 6(3)).
var exchangeDatabases = []struct{ name, prefix string }{
	{"浙江省科技专家库", "ZJ"}, {"宁波市科技专家库", "NB"}, {"台州市科技专家库", "TZ"}, {"杭州市科技专家库", "HZ"},
}

// birthRegions are the birthplace codes of ID numbers: mostly Wenzhou, then the rest of the
// province and other provinces.
var (
	wenzhouRegions = []string{"330302", "330303", "330304", "330305", "330324", "330326", "330327",
		"330328", "330329", "330381", "330382", "330383"}
	otherRegions = []string{"330102", "330203", "330602", "331002", "330402", "110108", "310104",
		"320102", "420111", "610113", "350102", "360102", "430104", "370102"}
)

// mobilePrefixes are number blocks of the three mainland operators.
var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
	"151", "152", "153", "155", "157", "158", "159", "177", "180", "181", "182", "183", "185",
	"186", "187", "188", "189", "191", "199"}

type generator struct {
	seed    uint64
	asOf    time.Time
	units   []Unit
	ids     map[string]bool // ID numbers given out
	mobiles map[string]bool
	career  int // the year the current expert started working (age 23)
}

// Unit kinds with the share of experts working in them.
var kindWeights = []struct {
	kind   admission.OrgKind
	weight int
}{
	{admission.University, 28}, {admission.Institute, 16}, {admission.Enterprise, 30},
	{admission.Hospital, 12}, {admission.Government, 6}, {admission.Financial, 8},
}

func (g *generator) unitOf(r *rng) Unit {
	ws := make([]int, len(kindWeights))
	for i, k := range kindWeights {
		ws[i] = k.weight
	}
	kind := kindWeights[r.weighted(ws)].kind
	var of []Unit
	for _, u := range g.units {
		if u.Kind == kind {
			of = append(of, u)
		}
	}
	return pick(r, of)
}

// role is what an expert does in their unit, deciding category, department and credentials.
type role int

const (
	roleTechnical role = iota
	roleManagement
	roleEconomic
	roleStrategy
)

func roleFor(r *rng, u Unit) role {
	policy := slices.ContainsFunc(u.Depts, func(d Dept) bool { return slices.Contains(d.Fields, FieldSciencePolicy) })
	var ws []int // technical, management, economic, strategy
	switch u.Kind {
	case admission.University:
		ws = []int{80, 7, 8, 5}
	case admission.Institute:
		ws = []int{80, 10, 5, 5}
		if policy {
			ws = []int{20, 15, 5, 60}
		}
	case admission.Enterprise:
		ws = []int{70, 12, 18, 0}
	case admission.Hospital:
		ws = []int{85, 0, 15, 0}
	case admission.Government:
		ws = []int{10, 60, 10, 20}
	case admission.Financial:
		ws = []int{0, 0, 90, 10}
	default:
		ws = []int{100, 0, 0, 0}
	}
	return role(r.weighted(ws))
}

func (g *generator) application(i int) admission.Application {
	r := newRNG(g.seed, "expert", i)
	u := g.unitOf(r)
	female := r.chance(2, 5)
	e := admission.Expert{ID: ExpertID(i), Name: personName(r, female), Region: u.Region}
	e.BirthDate, e.RetirementAge = g.birth(r)
	e.IDNumber = g.idNumber(r, e.BirthDate, female)
	e.Mobile = g.mobile(r)
	g.career = e.BirthDate.Year() + 23
	e.Affiliation = admission.Affiliation{Org: u.Name, OrgCode: u.Code, Kind: u.Kind,
		From: g.date(r, max(g.career, g.asOf.Year()-25), g.asOf.Year()-1)}
	g.profession(r, u, roleFor(r, u), &e)
	e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredPoliticalQuality,
		Detail: "本人承诺具有良好政治品质，客观公正", Date: g.asOf.AddDate(0, 0, -r.between(1, 60))})
	if r.chance(1, 5) && e.Affiliation.From.Year()-g.career >= 3 {
		e.Past = append(e.Past, g.pastUnit(r, u, e.Affiliation.From))
	}
	if r.chance(2, 5) {
		e.Trainings = append(e.Trainings, admission.Training{
			Kind:   pick(r, []admission.TrainingKind{admission.TrainingReviewRules, admission.TrainingPolicyLaw, admission.TrainingIntegrity}),
			Online: r.chance(2, 3), Date: g.asOf.AddDate(0, 0, -r.between(30, 700)), Hours: r.between(2, 16)})
	}
	if r.chance(1, 50) {
		// A retained record cannot come with an application: the Service drops reviews the
		// client sends (issue 17) and the record would then bar entry. The draw is kept so
		// that the rest of the pool stays as it was.
		_ = g.asOf.AddDate(0, 0, -r.between(200, 900))
	}
	return g.channel(r, i, u, e)
}

// birth returns a birth date on which the expert is 32 to 65 full years old on asOf; one
// expert in two hundred is 66 to 69 with a statutory retirement age of 70 (Art. 5(1)2).
func (g *generator) birth(r *rng) (time.Time, int) {
	age, retire := 32+r.intn(14)+r.intn(14)+r.intn(7), 0 // 32–64, centred near 48
	if r.chance(1, 40) {
		age = 65
	}
	if r.chance(1, 200) {
		age, retire = r.between(66, 69), 70
	}
	// A day in the year of life that makes the expert exactly `age` on asOf.
	asOf := time.Date(g.asOf.Year(), g.asOf.Month(), g.asOf.Day(), 0, 0, 0, 0, time.UTC)
	latest := asOf.AddDate(-age, 0, 0)      // the birthday is today
	b := latest.AddDate(0, 0, -r.intn(365)) // within the year before
	// 29 February and year lengths can put b a day off; a bounded correction (never an
	// unbounded loop on a library function's answer). The tests check every age.
	for k := 0; k < 3 && admission.Age(b, g.asOf) != age; k++ {
		b = b.AddDate(0, 0, 1)
	}
	return b, retire
}

// idNumber returns a fresh GB 11643-1999 number for the birth date: birthplace, date,
// sequence (odd for men, even for women) and check character.
func (g *generator) idNumber(r *rng, birth time.Time, female bool) string {
	for {
		region := pick(r, wenzhouRegions)
		if r.chance(3, 10) {
			region = pick(r, otherRegions)
		}
		seq := r.intn(500) * 2
		if !female {
			seq++
		}
		first := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
		c, ok := admission.IDNumberCheckChar(first)
		if !ok {
			panic("synth: ID number " + first[:6] + " is not 17 digits")
		}
		id := first + string(c)
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *generator) mobile(r *rng) string {
	for {
		m := fmt.Sprintf("%s%08d", pick(r, mobilePrefixes), r.intn(100_000_000))
		if !g.mobiles[m] {
			g.mobiles[m] = true
			return m
		}
	}
}

// date returns a random date (UTC midnight) between 1 January of from and 31 December of to,
// never after asOf.
func (g *generator) date(r *rng, from, to int) time.Time {
	start := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(to, 12, 31, 0, 0, 0, 0, time.UTC)
	if limit := time.Date(g.asOf.Year(), g.asOf.Month(), g.asOf.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1); end.After(limit) {
		end = limit
	}
	days := max(0, int(end.Sub(start).Hours()/24))
	return start.AddDate(0, 0, r.intn(days+1))
}

func (g *generator) credential(r *rng, kind, detail string) admission.Credential {
	return admission.Credential{Kind: kind, Detail: detail, Date: g.date(r, max(2005, g.career+2), g.asOf.Year())}
}

// profession fills department, position, title, categories, fields and the credentials that
// qualify the expert for each claimed category (Art. 5(2)).
func (g *generator) profession(r *rng, u Unit, ro role, e *admission.Expert) {
	dept := pick(r, u.Depts)
	e.Fields = []string{pick(r, dept.Fields)}
	if other := pick(r, dept.Fields); other != e.Fields[0] {
		e.Fields = append(e.Fields, other)
	}
	e.Title = admission.Intermediate + admission.TitleLevel(r.weighted([]int{15, 45, 40}))
	switch ro {
	case roleTechnical:
		g.technical(r, u, dept, e)
	case roleManagement:
		e.Affiliation.Department = u.Office
		e.Categories = []admission.Category{admission.Management}
		switch u.Kind {
		case admission.University, admission.Institute:
			if r.chance(1, 2) {
				e.Affiliation.Position = pick(r, []string{"省级重点实验室主任", "技术创新中心主任", "新型研发机构院长"})
				e.Credentials = append(e.Credentials, g.credential(r, admission.CredPlatformDirector, e.Affiliation.Position))
			} else {
				e.Affiliation.Position = map[admission.OrgKind]string{admission.University: "处长", admission.Institute: "副所长"}[u.Kind]
				e.Credentials = append(e.Credentials, g.credential(r, admission.CredInstitutionExecutive, u.Office+"负责人"))
			}
		case admission.Enterprise:
			e.Affiliation.Position = pick(r, []string{"总经理", "副总经理", "董事长"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredLeadingEnterpriseExecutive, "省级创新型领军企业高级管理人员"))
		default:
			e.Affiliation.Position = pick(r, []string{"主任", "副主任"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredCountyLevelOfficial, "县处级领导职务"))
		}
		if e.Title >= admission.AssociateSenior && r.chance(1, 2) {
			e.Categories = append([]admission.Category{admission.Technical}, e.Categories...)
		}
		e.Fields = append(e.Fields, FieldSciencePolicy)
	case roleEconomic:
		e.Affiliation.Department = u.Finance
		e.Categories = []admission.Category{admission.Economic}
		e.Fields = []string{FieldFinance}
		e.Credentials = append(e.Credentials, g.credential(r, admission.CredFundManagement, "熟悉科技经费管理制度"))
		switch u.Kind {
		case admission.Financial:
			e.Affiliation.Department = pick(r, u.Depts).Name
			e.Affiliation.Position = pick(r, []string{"副行长", "总经理", "副总经理", "投资总监"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredFinancialExecutive, "金融机构高级管理人员，从业8年以上"))
			e.Fields = append(e.Fields, FieldIndustryEconomy)
		case admission.Enterprise:
			e.Affiliation.Position = pick(r, []string{"财务总监", "财务经理"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredResearchFundManager, "负责科研经费管理"))
		case admission.Government:
			e.Affiliation.Position = pick(r, []string{"科长", "副科长"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredResearchFundManager, "负责科研经费管理"))
		default:
			e.Affiliation.Position = pick(r, []string{"处长", "科长", "副处长"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredFinanceDeptHead, u.Finance+"负责人"))
		}
		if r.chance(1, 2) {
			e.Credentials = append(e.Credentials, g.credential(r, pick(r, []string{admission.CredFinanceSeniorTitle,
				admission.CredFinanceSeniorQualification}), "高级会计师"))
		}
	case roleStrategy:
		e.Affiliation.Department = dept.Name
		e.Categories = []admission.Category{admission.Strategy}
		e.Fields = []string{FieldSciencePolicy, pick(r, []string{FieldIndustryEconomy, FieldDigitalEconomy})}
		switch u.Kind {
		case admission.Institute, admission.Financial:
			e.Affiliation.Position = pick(r, []string{"所长", "首席研究员", "副所长"})
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredThinkTankExecutive, "智库高级管理人员"))
		case admission.Government:
			e.Affiliation.Position = "主任"
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredGovAdvisoryMember, "市政府咨询委员会委员"))
		default:
			e.Title = admission.Senior
			e.Affiliation.Position = "教授"
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredRenownedScholar, "高校知名学者"))
		}
		if r.chance(1, 3) {
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredGovAdvisoryMember, "省政府咨询委员会特邀委员"))
		}
	}
	if e.Affiliation.Position == "" {
		e.Affiliation.Position = "工作人员"
	}
}

// technical fills a technical expert (Art. 5(2)1): a title of associate-senior or above, or an
// intermediate title with a qualifying credential.
func (g *generator) technical(r *rng, u Unit, dept Dept, e *admission.Expert) {
	e.Affiliation.Department = dept.Name
	e.Categories = []admission.Category{admission.Technical}
	e.Title = admission.AssociateSenior + admission.TitleLevel(r.weighted([]int{60, 40}))
	if r.chance(1, 10) {
		e.Title = admission.Intermediate
		switch u.Kind {
		case admission.Enterprise:
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredChiefTechnologist, "国家高新技术企业技术研发总负责人"))
		default:
			e.Credentials = append(e.Credentials, g.credential(r, admission.CredSeniorQualification, "专业技术高级水平证书"))
		}
	}
	senior := e.Title == admission.Senior
	switch u.Kind {
	case admission.University:
		e.Affiliation.Position = map[bool]string{true: "教授", false: "副教授"}[senior]
	case admission.Institute:
		e.Affiliation.Position = map[bool]string{true: "研究员", false: "副研究员"}[senior]
	case admission.Hospital:
		e.Affiliation.Position = map[bool]string{true: "主任医师", false: "副主任医师"}[senior]
	case admission.Enterprise:
		e.Affiliation.Position = pick(r, []string{"总工程师", "研发总监", "高级工程师", "技术中心主任"})
	default:
		e.Affiliation.Position = "高级工程师"
	}
	if e.Title == admission.Intermediate {
		e.Affiliation.Position = pick(r, []string{"工程师", "主治医师", "技术负责人"})
	}
	extras := []struct {
		kind, detail string
		num, den     int
	}{
		{admission.CredProvincialProjectLead, "省重点研发计划项目负责人（已验收）", 1, 5},
		{admission.CredNationalProjectLead, "国家重点研发计划课题负责人（已验收）", 1, 14},
		{admission.CredProvincialAward, "省科学技术进步奖（前三完成人）", 1, 10},
		{admission.CredNationalAward, "国家科学技术进步奖（前三完成人）", 1, 60},
		{admission.CredIntlStandardDrafter, "国际标准主要起草人", 1, 60},
		{admission.CredIntlOrgSeniorPost, "国际学术组织理事", 1, 100},
	}
	for _, x := range extras {
		if r.chance(x.num, x.den) {
			e.Credentials = append(e.Credentials, g.credential(r, x.kind, x.detail))
		}
	}
}

// pastUnit returns a former unit, other than the current one, left on the day the current one
// was joined.
func (g *generator) pastUnit(r *rng, cur Unit, joined time.Time) admission.Affiliation {
	u := pick(r, g.units)
	for u.Name == cur.Name {
		u = pick(r, g.units)
	}
	from := joined.AddDate(-r.between(2, min(10, joined.Year()-g.career)), 0, 0)
	return admission.Affiliation{Org: u.Name, OrgCode: u.Code, Kind: u.Kind, Department: pick(r, u.Depts).Name,
		From: from, To: joined}
}

// channel wraps the profile in an application through one of the channels of Art. 6 with the
// evidence that channel needs, dated before asOf.
func (g *generator) channel(r *rng, i int, u Unit, e admission.Expert) admission.Application {
	before := func(lo, hi int) time.Time { return g.asOf.AddDate(0, 0, -r.between(lo, hi)) }
	switch r.weighted([]int{55, 25, 10, 10}) {
	case 0:
		return admission.Application{Channel: admission.ChannelApplication, Expert: e, Personal: &admission.PersonalEvidence{
			FormStampedBy: u.Name, Proofs: []string{fmt.Sprintf("附件-%s-1", e.ID), fmt.Sprintf("附件-%s-2", e.ID)},
			PledgeSignedAt: before(1, 45)}}
	case 1:
		return admission.Application{Channel: admission.ChannelRecommendation, Expert: e,
			Recommendation: &admission.Recommendation{Unit: u.Name, UnitCode: u.Code}}
	case 2:
		d := r.intn(len(Divisions))
		return admission.Application{Channel: admission.ChannelInvitation, Expert: e, Invitation: &admission.DivisionInvitation{
			Division: Divisions[d], ApprovedBy: divisionLeaders[d], ApprovedAt: before(1, 30),
			Reason: "紧缺领域高层次专家，" + FieldLabel(e.Fields[0])}}
	default:
		db := pick(r, exchangeDatabases)
		return admission.Application{Channel: admission.ChannelExchange, Expert: e, Exchange: &admission.ExchangeSource{
			Database: db.name, SourceID: fmt.Sprintf("%s%04d%05d", db.prefix, r.between(2016, 2025), i+1)}}
	}
}
