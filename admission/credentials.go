package admission

// Credential kinds (Credential.Kind). Every qualification that Art. 5 lists is one kind, so an
// expression can ask for it by name, e.g. hasCredential("national-project-lead"). The
// applicant attests a credential with the proofs of the application (Art. 6(1)); the bureau
// checks the proofs when it reviews the application. CredentialKinds lists them with their
// Chinese labels and articles.
const (
	// Basic conditions, Art. 5(1).

	// CredPoliticalQuality is the applicant's declaration of good political quality,
	// objectivity and impartiality (良好政治品质声明, Art. 5(1)1).
	CredPoliticalQuality = "political-quality"
	// CredTimeCommitment is the applicant's declaration that they have the time and energy to
	// complete review work (时间精力保证, Art. 5(1)2). Not required by DefaultRules; a county
	// may require it with the basic rule hasCredential("time-commitment").
	CredTimeCommitment = "time-commitment"

	// Technical experts, Art. 5(2)1. A title of associate-senior or above (副高级及以上职称)
	// qualifies by itself through Expert.Title; it needs no credential.

	// CredSeniorQualification is a senior professional-technical qualification or level
	// certificate (专业技术高级资格或水平证书).
	CredSeniorQualification = "senior-qualification"
	// CredNationalProjectLead is the leader of an accepted national S&T plan project or
	// subproject (验收通过的国家科技计划项目（课题）负责人).
	CredNationalProjectLead = "national-project-lead"
	// CredProvincialProjectLead is the leader of an accepted provincial or ministerial S&T
	// plan project or subproject (验收通过的省部级科技计划项目（课题）负责人).
	CredProvincialProjectLead = "provincial-project-lead"
	// CredNationalAward is a national S&T award among the first three contributors
	// (国家科技奖励获得者，前三名完成人).
	CredNationalAward = "national-award"
	// CredProvincialAward is a provincial or ministerial S&T award among the first three
	// contributors (省部级科技奖励获得者，前三名完成人).
	CredProvincialAward = "provincial-award"
	// CredIntlOrgSeniorPost is a senior post in a major international academic organisation
	// (在主要国际学术组织中任高级职务).
	CredIntlOrgSeniorPost = "intl-org-senior-post"
	// CredIntlStandardDrafter is a drafter of an international standard (国际标准起草人).
	CredIntlStandardDrafter = "intl-standard-drafter"
	// CredChiefTechnologist is the chief technologist or head of technical R&D of a leading
	// S&T enterprise, national high-tech enterprise or listed S&T company
	// (科技领军企业、国家高新技术企业、科技型上市公司等的首席技术人员或技术研发总负责人).
	CredChiefTechnologist = "chief-technologist"

	// Management experts, Art. 5(2)2.

	// CredPlatformDirector is the director (president) of a high-level innovation platform:
	// a provincial or higher laboratory, technology innovation centre, new-type R&D institution
	// and the like (省级及以上实验室、技术创新中心、新型研发机构等高能级创新平台的主任（院长）).
	CredPlatformDirector = "platform-director"
	// CredLeadingEnterpriseExecutive is a senior manager of a STAR Market listed company or a
	// provincial leading innovative enterprise (科创板上市公司和省级创新型领军企业等的高级管理人员).
	CredLeadingEnterpriseExecutive = "leading-enterprise-executive"
	// CredInstitutionExecutive is a senior manager of a university, research institute,
	// national high-tech zone or national S&T business incubator
	// (高校、科研院所和国家级高新技术产业开发区、国家级科技企业孵化器等单位的高级管理人员).
	CredInstitutionExecutive = "institution-executive"
	// CredCountyLevelOfficial is a person in a government organ or public institution who
	// knows S&T innovation work and holds a post at county/division level or above
	// (政府机关、事业单位熟悉科技创新工作且担任县处级以上职务人员).
	CredCountyLevelOfficial = "county-level-official"

	// Strategy experts, Art. 5(2)3.

	// CredGovAdvisoryMember is a member of a government advisory committee familiar with the
	// national and Zhejiang economic and social development and policies
	// (熟悉国家和浙江省经济社会发展情况和政策的政府咨询委员会成员).
	CredGovAdvisoryMember = "gov-advisory-member"
	// CredRenownedScholar is a renowned expert or scholar of a national ministry or
	// commission, a national high-end think tank or a university
	// (国家有关部委、全国高端智库、高校的著名专家学者).
	CredRenownedScholar = "renowned-scholar"
	// CredThinkTankExecutive is a senior manager of a think tank or consultancy with rich
	// experience in S&T policy research, strategic planning or project management
	// (在科技创新政策研究、战略规划制定、项目管理等领域具备丰富经验的智库或咨询公司高级管理人员).
	CredThinkTankExecutive = "think-tank-executive"

	// Economic experts, Art. 5(2)4: CredFundManagement is required, plus at least one other.

	// CredFundManagement attests familiarity with the S&T funding management system
	// (熟悉科技经费管理制度). Every economic expert needs it.
	CredFundManagement = "fund-management"
	// CredFinanceSeniorTitle is an associate-senior or higher title in accounting, auditing or
	// economics (会计、审计、经济专业副高级以上专业技术职称).
	CredFinanceSeniorTitle = "finance-senior-title"
	// CredFinanceSeniorQualification is a senior or higher professional qualification or level
	// certificate in accounting, auditing or economics (专业技术高级以上资格或水平证书).
	CredFinanceSeniorQualification = "finance-senior-qualification"
	// CredResearchFundManager is a middle or senior manager in charge of research funds in an
	// enterprise, public institution or other social organisation
	// (企事业单位、其它社会组织中从事科研经费管理工作的中高级管理人员).
	CredResearchFundManager = "research-fund-manager"
	// CredFinanceDeptHead is the head of the finance (audit) department of a university,
	// research institute, listed company, large state-owned enterprise or a hospital at city
	// level or above (高校、科研院所、上市公司、大型国有企业、市级及以上医院等财务（审计）部门负责人).
	CredFinanceDeptHead = "finance-dept-head"
	// CredFinancialExecutive is a senior manager with at least five years of actual work in
	// securities, banking, insurance, venture capital and the like
	// (在证券、银行、保险、创投机构等具有5年以上实际工作经验的高级管理人员).
	CredFinancialExecutive = "financial-executive"
)

// CredentialInfo describes one credential kind: its Chinese label, the article that lists it
// and the category it qualifies for ("" for the basic conditions of Art. 5(1)).
type CredentialInfo struct {
	Kind     string
	Label    string
	Article  string
	Category Category
}

// CredentialKinds returns every credential kind of Art. 5 in the order of the article. The
// slice is freshly allocated; callers may keep or modify it.
func CredentialKinds() []CredentialInfo {
	return []CredentialInfo{
		{CredPoliticalQuality, "良好政治品质声明", "Art. 5(1)1", ""},
		{CredTimeCommitment, "时间和精力保证声明", "Art. 5(1)2", ""},

		{CredSeniorQualification, "专业技术高级资格或水平证书", "Art. 5(2)1", Technical},
		{CredNationalProjectLead, "验收通过的国家科技计划项目（课题）负责人", "Art. 5(2)1", Technical},
		{CredProvincialProjectLead, "验收通过的省部级科技计划项目（课题）负责人", "Art. 5(2)1", Technical},
		{CredNationalAward, "国家科技奖励获得者（前三名完成人）", "Art. 5(2)1", Technical},
		{CredProvincialAward, "省部级科技奖励获得者（前三名完成人）", "Art. 5(2)1", Technical},
		{CredIntlOrgSeniorPost, "在主要国际学术组织中任高级职务", "Art. 5(2)1", Technical},
		{CredIntlStandardDrafter, "国际标准起草人", "Art. 5(2)1", Technical},
		{CredChiefTechnologist, "科技领军企业、国家高新技术企业、科技型上市公司等的首席技术人员或技术研发总负责人", "Art. 5(2)1", Technical},

		{CredPlatformDirector, "省级及以上实验室、技术创新中心、新型研发机构等高能级创新平台的主任（院长）", "Art. 5(2)2", Management},
		{CredLeadingEnterpriseExecutive, "科创板上市公司和省级创新型领军企业等的高级管理人员", "Art. 5(2)2", Management},
		{CredInstitutionExecutive, "高校、科研院所和国家级高新技术产业开发区、国家级科技企业孵化器等单位的高级管理人员", "Art. 5(2)2", Management},
		{CredCountyLevelOfficial, "政府机关、事业单位熟悉科技创新工作且担任县处级以上职务人员", "Art. 5(2)2", Management},

		{CredGovAdvisoryMember, "熟悉国家和浙江省经济社会发展情况和政策的政府咨询委员会成员", "Art. 5(2)3", Strategy},
		{CredRenownedScholar, "国家有关部委、全国高端智库、高校的著名专家学者", "Art. 5(2)3", Strategy},
		{CredThinkTankExecutive, "在科技创新政策研究、战略规划制定、项目管理等领域具备丰富经验的智库或咨询公司高级管理人员", "Art. 5(2)3", Strategy},

		{CredFundManagement, "熟悉科技经费管理制度", "Art. 5(2)4", Economic},
		{CredFinanceSeniorTitle, "会计、审计、经济专业副高级以上专业技术职称", "Art. 5(2)4", Economic},
		{CredFinanceSeniorQualification, "会计、审计、经济专业技术高级以上资格或水平证书", "Art. 5(2)4", Economic},
		{CredResearchFundManager, "企事业单位、其它社会组织中从事科研经费管理工作的中高级管理人员", "Art. 5(2)4", Economic},
		{CredFinanceDeptHead, "高校、科研院所、上市公司、大型国有企业、市级及以上医院等财务（审计）部门负责人", "Art. 5(2)4", Economic},
		{CredFinancialExecutive, "在证券、银行、保险、创投机构等具有5年以上实际工作经验的高级管理人员", "Art. 5(2)4", Economic},
	}
}

// CredentialLabel returns the Chinese label of a credential kind of Art. 5, and false for a
// kind the package does not define (a county's own kind, say).
func CredentialLabel(kind string) (string, bool) {
	for _, c := range CredentialKinds() {
		if c.Kind == kind {
			return c.Label, true
		}
	}
	return "", false
}

// Label returns the Chinese name of the category (科技专家, 管理专家, 战略咨询专家, 经济专家),
// or the category itself for a category the package does not define.
func (c Category) Label() string {
	switch c {
	case Technical:
		return "科技专家"
	case Management:
		return "管理专家"
	case Strategy:
		return "战略咨询专家"
	case Economic:
		return "经济专家"
	}
	return string(c)
}

// Article returns the article that lists the professional conditions of the category
// ("Art. 5(2)1" … "Art. 5(2)4"), or "Art. 5(2)" for a category the package does not define.
func (c Category) Article() string {
	switch c {
	case Technical:
		return "Art. 5(2)1"
	case Management:
		return "Art. 5(2)2"
	case Strategy:
		return "Art. 5(2)3"
	case Economic:
		return "Art. 5(2)4"
	}
	return "Art. 5(2)"
}

// Article returns the clause of Art. 10 that the exit reason implements, e.g. "Art. 10(3)",
// or "" for an unknown reason.
func (r ExitReason) Article() string {
	switch r {
	case ExitOnRequest:
		return "Art. 10(1)"
	case ExitNoLongerQualified:
		return "Art. 10(2)"
	case ExitMisconduct:
		return "Art. 10(3)"
	case ExitLegal:
		return "Art. 10(4)"
	case ExitUnsuitable:
		return "Art. 10(5)"
	}
	return ""
}

// Label returns the Chinese wording of the exit reason, or the reason itself when unknown.
func (r ExitReason) Label() string {
	switch r {
	case ExitOnRequest:
		return "本人申请不再担任专家"
	case ExitNoLongerQualified:
		return "因超龄等个人原因不符合专家入库条件"
	case ExitMisconduct:
		return "存在请托、泄露评审相关信息等严重科研失信行为"
	case ExitLegal:
		return "触犯法律、法规被追究责任"
	case ExitUnsuitable:
		return "其他不适宜履行专家职责的情形"
	}
	return string(r)
}

// BarsReentry reports whether an exit for this reason bars the person from ever re-entering
// the database under the default reading of Art. 11 ("具有第十条所列情形而予以出库的专家，不得
// 再次入库", ReentryAnyExit): every exit on a ground of Art. 10 does. ReentryForCause.Bars is
// the narrow reading (only Art. 10(3)–(5)).
func (r ExitReason) BarsReentry() bool { return ReentryAnyExit.Bars(r) }

// Valid reports whether r is one of the five exit reasons of Art. 10.
func (r ExitReason) Valid() bool { return r.Article() != "" }

// ReentryBarred reports whether e left the database for a reason that bars re-entry under the
// default reading (Art. 11; see ExitReason.BarsReentry). Pass the person's whole history
// (WithHistory) so that the bar follows the person, not the record.
func ReentryBarred(e Expert) bool {
	for _, x := range e.Exits {
		if x.Reason.BarsReentry() {
			return true
		}
	}
	return false
}
