package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

// requestHelp documents the request file for -h.
const requestHelp = `Request file (YAML; unknown keys are an error; times are China Standard Time unless they
carry a zone):

  id: R-2026-0315                       # request ID (required)
  unit: 高新技术处                      # using unit (required); the operator draws for it
  activity: 2026-03-20 09:00            # activity date (required); its year is the cap year
  size: 7                               # panel size (required)
  criteria: expert.Title >= AssociateSenior   # expression over expert, usage ("" = everyone)
  labels: [key-project]                 # labels for the county's request rules
  window: 24h                           # reply window of the notices
  quotas:                               # structure (Art. 13): min/max experts matching filter
    - {name: economic, filter: '"economic" in expert.Categories', min: 2}
  groups:                               # at most max per value of key
    - {name: one-per-unit, key: expert.Affiliation.Org, max: 1}
  project:                              # recusal requirements (Art. 15)
    id: P-2026-017
    region: "330382"
    leader: {id: E00672, name: 李某, org: 雁荡职业技术学院, kind: university, department: 电气工程系}
    members:
      - {id: M-1, name: 张某, org: 乐清泓晟低压电器有限公司, kind: enterprise}
    avoid:                              # the leader's avoidance list (Art. 15(4))
      - {org: 文成青岚茶业有限公司, reason: 竞争企业}
  relations:                            # known interest relations (Art. 15(2))
    - {a: E01234, b: M-1, kind: co-author, since: 2021-01-01}
  preferred: [E01334]                   # preferential picks (Art. 14(1)), need a plan
  plan: {reason: 需熟悉智能电气的专家, approved_by: 郑国强, filed_with: 局机关纪委, at: 2026-03-09}
  invited:                              # invited experts from outside the database (Art. 12, 28)
    - expert: {id: X-2026-01, name: 王某, mobile: "13800000000", org: 中国科学院某研究所,
               kind: institute, title: senior, fields: [智能电网], categories: [technical]}
      reason: 库内无熟悉特高压直流装备的专家       # the special requirement (required)
      approvals:                        # all four steps, in order (Art. 28): division head,
        - {role: division-head,  by: 陈某, at: 2026-03-02}   # then deputy and main leader
        - {role: deputy-leader,  by: 郑某, at: 2026-03-03}   # (either order), bureau meeting
        - {role: main-leader,    by: 林某, at: 2026-03-03}   # last and before the activity
        - {role: bureau-meeting, by: 局务会纪要〔2026〕5号, at: 2026-03-05}
      filed_with: 局机关纪委            # filing with the discipline office after the meeting
      filed_at: 2026-03-06

An invited expert takes a panel seat, is conflict-checked like a drawn one and is marked
invited (特邀) on the panel; inviting needs the division role. The expert's title is one of
none, junior, intermediate, associate-senior, senior.`

type yamlTime struct{ time.Time }

func (t *yamlTime) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a date or time", n.Line)
	}
	if n.Value == "" {
		return nil
	}
	v, err := parseTime(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	t.Time = v
	return nil
}

type yamlDuration struct{ time.Duration }

func (d *yamlDuration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 24h or 90m", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

type yamlPerson struct {
	ID         string `yaml:"id"`
	Name       string `yaml:"name"`
	IDNumber   string `yaml:"id_number"`
	Org        string `yaml:"org"`
	OrgCode    string `yaml:"org_code"`
	Kind       string `yaml:"kind"`
	Department string `yaml:"department"`
}

func (p yamlPerson) person() conflict.Person {
	return conflict.Person{ID: p.ID, Name: p.Name, IDNumber: p.IDNumber, Affiliation: admission.Affiliation{
		Org: p.Org, OrgCode: p.OrgCode, Kind: admission.OrgKind(p.Kind), Department: p.Department}}
}

type yamlRequest struct {
	ID       string               `yaml:"id"`
	Unit     string               `yaml:"unit"`
	Activity yamlTime             `yaml:"activity"`
	Size     int                  `yaml:"size"`
	Criteria string               `yaml:"criteria"`
	Labels   []string             `yaml:"labels"`
	Window   yamlDuration         `yaml:"window"`
	Quotas   []selection.Quota    `yaml:"quotas"`
	Groups   []selection.GroupCap `yaml:"groups"`
	Project  struct {
		ID      string       `yaml:"id"`
		Region  string       `yaml:"region"`
		Leader  yamlPerson   `yaml:"leader"`
		Members []yamlPerson `yaml:"members"`
		Avoid   []struct {
			ExpertID   string `yaml:"expert_id"`
			Name       string `yaml:"name"`
			Org        string `yaml:"org"`
			OrgCode    string `yaml:"org_code"`
			Department string `yaml:"department"`
			Reason     string `yaml:"reason"`
		} `yaml:"avoid"`
	} `yaml:"project"`
	Relations []struct {
		A     string   `yaml:"a"`
		B     string   `yaml:"b"`
		Kind  string   `yaml:"kind"`
		Since yamlTime `yaml:"since"`
		Until yamlTime `yaml:"until"`
	} `yaml:"relations"`
	Preferred []string         `yaml:"preferred"`
	Invited   []yamlInvitation `yaml:"invited"`
	Plan      *struct {
		Reason     string   `yaml:"reason"`
		ApprovedBy string   `yaml:"approved_by"`
		FiledWith  string   `yaml:"filed_with"`
		At         yamlTime `yaml:"at"`
	} `yaml:"plan"`
}

// maxRequestFile bounds a request file.
const maxRequestFile = 1 << 20

// parseRequest reads a request file into the Service's DrawRequest (without entropy).
func parseRequest(src []byte) (expertdb.DrawRequest, error) {
	if len(src) > maxRequestFile {
		return expertdb.DrawRequest{}, fmt.Errorf("request file larger than %d KiB", maxRequestFile>>10)
	}
	var y yamlRequest
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return expertdb.DrawRequest{}, fmt.Errorf("request: %w", err)
	}
	var errs []string
	if strings.TrimSpace(y.ID) == "" {
		errs = append(errs, "id is required")
	}
	if strings.TrimSpace(y.Unit) == "" {
		errs = append(errs, "unit is required")
	}
	if y.Activity.IsZero() {
		errs = append(errs, "activity (date) is required")
	}
	if y.Size < 1 {
		errs = append(errs, "size must be at least 1")
	}
	if len(y.Preferred) > 0 && y.Plan == nil {
		errs = append(errs, "preferred picks need a plan (Art. 14(1))")
	}
	var invited []selection.Invitation
	for i, yi := range y.Invited {
		inv, problems := yi.invitation()
		for _, p := range problems {
			errs = append(errs, fmt.Sprintf("invited[%d]: %s", i, p))
		}
		invited = append(invited, inv)
	}
	if len(errs) > 0 {
		return expertdb.DrawRequest{}, errors.New("request: " + strings.Join(errs, "; "))
	}
	req := expertdb.DrawRequest{
		Request: selection.Request{ID: y.ID, Size: y.Size, At: y.Activity.Time, Criteria: y.Criteria,
			Quotas: y.Quotas, Groups: y.Groups, Preferred: y.Preferred,
			Project: conflict.Project{ID: y.Project.ID, Region: y.Project.Region, Leader: y.Project.Leader.person()}},
		Unit: y.Unit, Labels: y.Labels, Window: y.Window.Duration,
	}
	req.Invited = invited
	for _, m := range y.Project.Members {
		req.Project.Members = append(req.Project.Members, m.person())
	}
	for _, a := range y.Project.Avoid {
		req.Project.Avoid = append(req.Project.Avoid, conflict.Avoidance{ExpertID: a.ExpertID, Name: a.Name, Org: a.Org,
			OrgCode: a.OrgCode, Department: a.Department, Reason: a.Reason})
	}
	for _, r := range y.Relations {
		req.Relations = append(req.Relations, conflict.Relation{A: r.A, B: r.B, Kind: r.Kind, Since: r.Since.Time, Until: r.Until.Time})
	}
	if y.Plan != nil {
		req.Plan = &selection.Plan{Reason: y.Plan.Reason, ApprovedBy: y.Plan.ApprovedBy, FiledWith: y.Plan.FiledWith, At: y.Plan.At.Time}
	}
	return req, nil
}

// parseEntropy reads public random numbers as announced: sources separated by "/", each a
// list of decimal numbers ("9319/2.5.8.10.12", also the RFC 3797 key string form
// "9319./2.5.8.10.12./"), or a drand round "drand:<round>:<randomness hex>".
func parseEntropy(s string) (selection.Entropy, error) {
	var e selection.Entropy
	for _, part := range strings.Split(s, "/") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(part, "drand:"); ok {
			round, hex, ok := strings.Cut(rest, ":")
			if !ok {
				return selection.Entropy{}, fmt.Errorf("entropy source %q: want drand:<round>:<randomness hex>", part)
			}
			src, err := selection.ParseSource(round)
			if err != nil || len(src) != 1 {
				return selection.Entropy{}, fmt.Errorf("entropy source %q: bad drand round", part)
			}
			ds, err := selection.DrandSource(src[0], hex)
			if err != nil {
				return selection.Entropy{}, fmt.Errorf("entropy source %q: %w", part, err)
			}
			e.Sources = append(e.Sources, ds)
			continue
		}
		src, err := selection.ParseSource(strings.TrimRight(part, ".,; "))
		if err != nil {
			return selection.Entropy{}, fmt.Errorf("entropy source %q: %w", part, err)
		}
		e.Sources = append(e.Sources, src)
	}
	if len(e.Sources) == 0 {
		return selection.Entropy{}, errors.New("entropy: no numbers")
	}
	return e, nil
}

// yamlInvitation is one invited expert (特邀专家, Art. 12, 28) in a request file.
type yamlInvitation struct {
	Expert struct {
		yamlPerson `yaml:",inline"`
		Mobile     string   `yaml:"mobile"`
		Title      string   `yaml:"title"`
		Fields     []string `yaml:"fields"`
		Categories []string `yaml:"categories"`
		Region     string   `yaml:"region"`
	} `yaml:"expert"`
	Reason    string `yaml:"reason"`
	Approvals []struct {
		Role string   `yaml:"role"`
		By   string   `yaml:"by"`
		At   yamlTime `yaml:"at"`
	} `yaml:"approvals"`
	FiledWith string   `yaml:"filed_with"`
	FiledAt   yamlTime `yaml:"filed_at"`
}

// titles are the title names accepted in a request file.
var titles = map[string]admission.TitleLevel{
	"": admission.TitleNone, "none": admission.TitleNone, "junior": admission.Junior,
	"intermediate": admission.Intermediate, "associate-senior": admission.AssociateSenior, "senior": admission.Senior,
}

// roles are the approval steps of Art. 28 accepted in a request file.
var roles = map[string]selection.Role{
	string(selection.DivisionHead): selection.DivisionHead, string(selection.DeputyLeader): selection.DeputyLeader,
	string(selection.MainLeader): selection.MainLeader, string(selection.BureauMeeting): selection.BureauMeeting,
}

// invitation converts y, returning what is wrong with the spelling of the file (unknown
// title or role names, no expert ID). Whether the approval chain is complete and in order is
// the draw's to decide (selection refuses it with Art. 28 and a stable code).
func (y yamlInvitation) invitation() (selection.Invitation, []string) {
	var problems []string
	x := y.Expert
	if strings.TrimSpace(x.ID) == "" {
		problems = append(problems, "expert.id is required")
	}
	title, ok := titles[x.Title]
	if !ok {
		problems = append(problems, fmt.Sprintf("expert.title %q is not one of none, junior, intermediate, associate-senior, senior", x.Title))
	}
	p := x.person()
	e := admission.Expert{ID: x.ID, Name: x.Name, IDNumber: x.IDNumber, Mobile: x.Mobile, Affiliation: p.Affiliation,
		Title: title, Fields: x.Fields, Region: x.Region}
	for _, c := range x.Categories {
		e.Categories = append(e.Categories, admission.Category(c))
	}
	inv := selection.Invitation{Expert: e, Reason: y.Reason, FiledWith: y.FiledWith, FiledAt: y.FiledAt.Time}
	for j, a := range y.Approvals {
		r, ok := roles[a.Role]
		if !ok {
			problems = append(problems, fmt.Sprintf("approvals[%d].role %q is not one of division-head, deputy-leader, main-leader, bureau-meeting", j, a.Role))
		}
		inv.Approvals = append(inv.Approvals, selection.Approval{Role: r, By: a.By, At: a.At.Time})
	}
	return inv, problems
}
