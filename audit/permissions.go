package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wzsti/expertdb/internal/rules"
	"github.com/wzsti/expertdb/rule"
)

// Roles of the tiered permissions (分级设置使用权限, Art. 18). Actor.Role holds one of them.
const (
	RoleCityAdmin  = "city-admin" // 市科技局专家库管理人员: manages users and the database (Art. 3, 18)
	RoleLeader     = "leader"     // 局领导 (分管领导、主要领导): approves plans, invitations, permission changes (Art. 14(1), 28)
	RoleDivision   = "division"   // 业务处室使用人员: requests and draws for its own activities (Art. 13, 14)
	RoleCounty     = "county"     // 县（市、区）科技局使用人员: the same, for its own unit only (Art. 13)
	RoleDiscipline = "discipline" // 局机关纪委: supervision, read-only (Art. 14, 27)
	RoleMaintainer = "maintainer" // 运维人员 (科技信息研究院): runs the system, no personal data (Art. 3, 19)
	RoleExpert     = "expert"     // 专家本人: their own record only (Art. 7, 8)
)

var roleLabels = map[string]string{
	RoleCityAdmin: "市科技局管理人员", RoleLeader: "局领导", RoleDivision: "业务处室用户", RoleCounty: "县（市、区）用户",
	RoleDiscipline: "纪委监督人员", RoleMaintainer: "运维人员", RoleExpert: "专家本人",
}

// Roles returns the built-in roles, from most to least powerful.
func Roles() []string {
	return []string{RoleCityAdmin, RoleLeader, RoleDivision, RoleCounty, RoleDiscipline, RoleMaintainer, RoleExpert}
}

// RoleLabel returns the Chinese name of a built-in role, or the role itself.
func RoleLabel(role string) string {
	if l, ok := roleLabels[role]; ok {
		return l
	}
	return role
}

// Resource kinds used by the default permission rules and in Event.Data "kind".
const (
	KindExpert  = "expert"  // an expert's profile
	KindRequest = "request" // a draw request, its plan, panel and notices
	KindRating  = "rating"  // a rating of an expert after an activity
	KindAudit   = "audit"   // the audit trail itself
	KindUser    = "user"    // a user's account and permissions
	KindSystem  = "system"  // configuration, rule sets, maintenance
)

// Resource describes what an operation touches, for the permission rules. The caller fills
// it; expressions see it as `resource`.
type Resource struct {
	Kind     string `json:"kind"`               // KindExpert, KindRequest, … (free text allowed)
	ID       string `json:"id,omitempty"`       // the resource's ID
	Owner    string `json:"owner,omitempty"`    // whose it is: the expert's ID for an expert's own data, the user's ID for an account
	Unit     string `json:"unit,omitempty"`     // the unit responsible for it (e.g. the using unit of a request)
	Personal bool   `json:"personal,omitempty"` // it carries personal data (ID number, mobile, unmasked name)
	Count    int    `json:"count,omitempty"`    // how many records it covers (exports, lists)
}

// User is a registered real-name user (实名制, Art. 18) and what they may do: one role, their
// unit, and individually granted actions. GrantedBy and ApprovedBy record who is responsible
// for the grant (谁授权、谁负责, Art. 21).
type User struct {
	ID         string   `json:"id" yaml:"id"`
	Name       string   `json:"name" yaml:"name"`
	Role       string   `json:"role" yaml:"role"`
	Unit       string   `json:"unit" yaml:"unit"`
	Grants     []Action `json:"grants,omitempty" yaml:"grants"`
	GrantedBy  string   `json:"granted_by,omitempty" yaml:"granted_by"`
	ApprovedBy string   `json:"approved_by,omitempty" yaml:"approved_by"`
}

// ActorView is what permission expressions see as `actor`: the actor's fields and the
// user's individual grants.
type ActorView struct {
	ID, Name, Role, Unit, OnBehalfOf string
	Grants                           []string
}

// PermissionEnv is the environment of permission expressions:
//
//	actor     ActorView  ID, Name, Role, Unit, OnBehalfOf string; Grants []string
//	action    string     the action asked for, e.g. "view", "draw", "export"
//	resource  Resource   Kind, ID, Owner, Unit string; Personal bool; Count int
//
// Examples: `actor.Role == "county" && resource.Unit == actor.Unit`,
// `action in ["view", "export"] && !resource.Personal`, `action in actor.Grants`.
type PermissionEnv struct {
	Actor    ActorView `expr:"actor"`
	Action   string    `expr:"action"`
	Resource Resource  `expr:"resource"`
}

// PermissionRules configure Permissions: Deny rules are checked first and the first that
// holds refuses; then the first Allow rule that holds permits; nothing holding refuses
// (deny by default). Roles lists the roles a user may be given.
type PermissionRules struct {
	Roles []string    `yaml:"roles" json:"roles"`
	Allow []rule.Rule `yaml:"allow" json:"allow"`
	Deny  []rule.Rule `yaml:"deny" json:"deny"`
}

// DefaultPermissionRules returns the rules implementing Art. 18–21 as this package reads
// them (a county may replace any of them):
//
//   - city-admin: everything (the city bureau manages the database and its users, Art. 3, 18);
//   - leader: approve and view (Art. 14(1), 28);
//   - division: request, draw, notify, review, recusal, rating, invite, admission, update,
//     training, integrity records and export on its own unit's resources, and view any
//     expert profile (it must contact the experts it draws);
//   - county: the same work on its own unit's resources only, and view de-identified
//     profiles (Art. 13: counties use the database under their own rules);
//   - discipline: view anything, change nothing (supervision, Art. 14(1), 27);
//   - maintainer: view and update the system, view what carries no personal data (Art. 19);
//   - expert: view and update their own record, reply to notices, appeal, ask to exit
//     (Art. 7, 8, 11, 17);
//   - anyone: actions individually granted to them by an approved permission change.
//
// and refusing, whatever the grants: personal data to maintainers (Art. 19, 20); export of
// data not de-identified (Art. 20: 不得将敏感数据未经脱敏处理后直接提供); a user changing or
// approving their own permissions (Art. 20, 21); any action but view by the discipline office.
func DefaultPermissionRules() PermissionRules {
	return PermissionRules{
		Roles: Roles(),
		Deny: []rule.Rule{
			{Name: "maintainer-personal-data", Article: "Art. 19, 20",
				Expr:    `actor.Role == "maintainer" && resource.Personal`,
				Message: "运维人员不得查看或处理专家个人敏感信息"},
			{Name: "export-not-de-identified", Article: "Art. 20",
				Expr:    `action == "export" && resource.Personal`,
				Message: "敏感数据须脱敏处理后方可提供，请先脱敏（Redact）再导出"},
			{Name: "own-permissions", Article: "Art. 20, 21",
				Expr:    `resource.Kind == "user" && resource.Owner == actor.ID && action in ["permission-change", "approve"]`,
				Message: "不得修改或审批本人的用户权限"},
			{Name: "discipline-read-only", Article: "Art. 18",
				Expr:    `actor.Role == "discipline" && action != "view"`,
				Message: "纪委监督人员仅可查看，不得操作"},
		},
		Allow: []rule.Rule{
			{Name: "city-admin", Article: "Art. 3, 18", Expr: `actor.Role == "city-admin"`},
			{Name: "leader", Article: "Art. 14(1), 28", Expr: `actor.Role == "leader" && action in ["approve", "view"]`},
			{Name: "division", Article: "Art. 13, 14, 25",
				Expr: `actor.Role == "division" && (
	action in ["request", "draw", "view", "notify", "respond", "review", "recusal", "rating", "invite",
	           "admission", "update", "training", "integrity-record", "export"] && resource.Unit == actor.Unit
	|| action == "view" && resource.Kind == "expert")`},
			{Name: "county", Article: "Art. 13",
				Expr: `actor.Role == "county" && (
	action in ["request", "draw", "view", "notify", "respond", "review", "recusal", "rating", "export"] && resource.Unit == actor.Unit
	|| action == "view" && resource.Kind == "expert" && !resource.Personal)`},
			{Name: "discipline", Article: "Art. 14(1), 27", Expr: `actor.Role == "discipline" && action == "view"`},
			{Name: "maintainer", Article: "Art. 3, 19",
				Expr: `actor.Role == "maintainer" && (resource.Kind == "system" && action in ["view", "update"] || action == "view")`},
			{Name: "expert-own-record", Article: "Art. 7, 8, 11, 17",
				Expr: `actor.Role == "expert" && resource.Owner == actor.ID && action in ["view", "update", "respond", "appeal", "exit", "training", "recusal"]`},
			{Name: "individual-grant", Article: "Art. 18", Expr: `action in actor.Grants`},
		},
	}
}

// Decision is the outcome of Authorize. A refusal names the article, a stable code (the
// deciding rule's name, or "unregistered", "identity-mismatch", "no-grant", "same-approver")
// and a Chinese message an operator can act on.
type Decision struct {
	Allowed  bool
	Rule     string // the rule that decided ("" when no rule held)
	Article  string
	Code     string
	Message  string
	Actor    Actor
	Action   Action
	Resource Resource
}

// ErrDenied is the errors.Is target of every *DeniedError.
var ErrDenied = errors.New("audit: access denied")

// DeniedError is a refusal, with the fields of its Decision.
type DeniedError struct {
	ActorID string
	Action  Action
	Article string
	Code    string
	Message string
}

// Error implements error. It names the actor by ID only.
func (e *DeniedError) Error() string {
	return scrub(fmt.Sprintf("audit: access denied: %s may not %s: %s (%s): %s", e.ActorID, e.Action, e.Code, e.Article, e.Message))
}

// Is makes errors.Is(err, ErrDenied) hold.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// Err returns nil when d allows, else a *DeniedError.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return &DeniedError{ActorID: d.Actor.ID, Action: d.Action, Article: d.Article, Code: d.Code, Message: d.Message}
}

// Event returns the access-denied event recording a refusal (every denial is an event,
// Art. 18), and false when d allows. Its subject is the resource ID; its data holds the
// resource, the action refused, the article, code and message. Unmasked mobile or ID numbers
// in the actor or resource (for instance a lookup by mobile number) are masked, so the event
// can always be appended; an actor without ID, name or role is recorded as "(unknown)".
func (d Decision) Event(at time.Time) (Event, bool) {
	if d.Allowed {
		return Event{}, false
	}
	a := Actor{ID: scrub(d.Actor.ID), Name: scrub(d.Actor.Name), Role: scrub(d.Actor.Role), Unit: scrub(d.Actor.Unit),
		OnBehalfOf: scrub(d.Actor.OnBehalfOf)}
	for _, f := range []*string{&a.ID, &a.Name, &a.Role} {
		if *f == "" {
			*f = "(unknown)"
		}
	}
	r := d.Resource
	r.ID, r.Owner, r.Unit, r.Kind = scrub(r.ID), scrub(r.Owner), scrub(r.Unit), scrub(r.Kind)
	data, _ := json.Marshal(struct {
		Kind     string   `json:"kind"`
		Action   string   `json:"action"`
		Resource Resource `json:"resource"`
		Article  string   `json:"article"`
		Code     string   `json:"code"`
		Message  string   `json:"message"`
	}{r.Kind, scrub(string(d.Action)), r, d.Article, d.Code, scrub(d.Message)})
	e := Event{At: at, Actor: a, Action: ActionAccessDenied, Data: data}
	if r.ID != "" {
		e.Subjects = []string{r.ID}
	}
	return e, true
}

// Permissions decides who may do what (Art. 18–21): real-name registered users, tiered
// roles, rules as expressions, deny by default. It is safe for concurrent use.
//
// The actor of a request must be a registered user whose ID, name, role and unit match the
// registration: a caller cannot claim a role it was not given. Registrations change only
// through Change, which needs an approver and is recorded in the log.
type Permissions struct {
	allow, deny *rules.Set[PermissionEnv]
	roles       []string

	mu    sync.RWMutex
	users map[string]User
}

// NewPermissions compiles r and registers the initial users (the bootstrap accounts of a
// deployment, e.g. the first city administrators; later changes go through Change). Every
// expression error is reported together, with rule names and positions.
func NewPermissions(r PermissionRules, users ...User) (*Permissions, error) {
	if len(r.Roles) == 0 {
		r.Roles = Roles()
	}
	p := &Permissions{roles: slices.Clone(r.Roles), users: map[string]User{}}
	var errs []error
	var err error
	if p.allow, err = rules.CompileSet[PermissionEnv](r.Allow, rules.Options{}); err != nil {
		errs = append(errs, fmt.Errorf("audit: allow rules: %w", err))
	}
	if p.deny, err = rules.CompileSet[PermissionEnv](r.Deny, rules.Options{}); err != nil {
		errs = append(errs, fmt.Errorf("audit: deny rules: %w", err))
	}
	for _, u := range users {
		if err := p.checkUser(u); err != nil {
			errs = append(errs, err)
			continue
		}
		p.users[u.ID] = cloneUser(u)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func (p *Permissions) checkUser(u User) error {
	if u.ID == "" || u.Name == "" {
		return errors.New("audit: a user needs an ID and a real name (Art. 18)")
	}
	if !slices.Contains(p.roles, u.Role) {
		return fmt.Errorf("audit: user %s: unknown role %q", scrub(u.ID), scrub(u.Role))
	}
	for _, g := range u.Grants {
		if !g.Valid() {
			return fmt.Errorf("audit: user %s: unknown granted action %q", scrub(u.ID), scrub(string(g)))
		}
	}
	return nil
}

func cloneUser(u User) User {
	u.Grants = slices.Clone(u.Grants)
	return u
}

// User returns the registration of a user.
func (p *Permissions) User(id string) (User, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	u, ok := p.users[id]
	return cloneUser(u), ok
}

// Users returns every registration, by ID.
func (p *Permissions) Users() []User {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]User, 0, len(p.users))
	for _, u := range p.users {
		out = append(out, cloneUser(u))
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Authorize decides whether actor may perform action on res. It never errs on the side of
// allowing: an unregistered actor, an actor whose name, role or unit differ from the
// registration, a deny rule that holds or fails to evaluate, and the absence of any allow
// rule that holds all refuse. The error reports expressions that failed to evaluate (the
// decision is still valid, fail closed).
func (p *Permissions) Authorize(actor Actor, action Action, res Resource) (Decision, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.authorizeLocked(actor, action, res)
}

func (p *Permissions) authorizeLocked(actor Actor, action Action, res Resource) (Decision, error) {
	d := Decision{Actor: actor, Action: action, Resource: res}
	deny := func(rule, article, code, msg string) Decision {
		d.Rule, d.Article, d.Code, d.Message = rule, article, code, msg
		return d
	}
	if !action.Valid() {
		return deny("", "Art. 17", "unknown-action", "操作类型不在规定范围内"), nil
	}
	u, ok := p.users[actor.ID]
	if !ok || actor.ID == "" {
		return deny("", "Art. 18", "unregistered", "用户未实名登记或权限已撤销，请联系市科技局专家库管理人员"), nil
	}
	if u.Name != actor.Name || u.Role != actor.Role || u.Unit != actor.Unit {
		return deny("", "Art. 18, 20", "identity-mismatch", "操作人的姓名、角色或单位与实名登记不符，不得越权操作"), nil
	}
	env := &PermissionEnv{
		Actor: ActorView{ID: actor.ID, Name: actor.Name, Role: actor.Role, Unit: actor.Unit, OnBehalfOf: actor.OnBehalfOf,
			Grants: make([]string, len(u.Grants))},
		Action:   string(action),
		Resource: res,
	}
	for i, g := range u.Grants {
		env.Actor.Grants[i] = string(g)
	}
	var errs []error
	for i, prog := range p.deny.Programs {
		hit, err := prog.Eval(env)
		if err != nil {
			errs = append(errs, scrubErr(err))
		}
		if hit || err != nil {
			r := p.deny.Rules[i]
			msg := r.Message
			if err != nil {
				msg = "权限规则无法判定，按拒绝处理：" + r.Message
			}
			return deny(r.Name, r.Article, r.Name, msg), errors.Join(errs...)
		}
	}
	for i, prog := range p.allow.Programs {
		hit, err := prog.Eval(env)
		if err != nil {
			errs = append(errs, scrubErr(err))
			continue
		}
		if hit {
			r := p.allow.Rules[i]
			d.Allowed, d.Rule, d.Article, d.Code = true, r.Name, r.Article, r.Name
			return d, errors.Join(errs...)
		}
	}
	return deny("", "Art. 18", "no-grant", "未被授予该项操作权限（默认拒绝），如需使用请按程序申请授权"), errors.Join(errs...)
}

// Enforce authorizes actor and, on refusal, appends the access-denied event to l at time at.
// It returns the decision and, on refusal, a *DeniedError (joined with any append failure).
func (p *Permissions) Enforce(ctx context.Context, l *Log, at time.Time, actor Actor, action Action, res Resource) (Decision, error) {
	d, _ := p.Authorize(actor, action, res)
	if d.Allowed {
		return d, nil
	}
	if l == nil {
		return d, errors.Join(d.Err(), errors.New("audit: record denial: no log"))
	}
	ev, _ := d.Event(at)
	if _, err := l.Append(ctx, ev); err != nil {
		return d, errors.Join(d.Err(), fmt.Errorf("audit: record denial: %w", err))
	}
	return d, d.Err()
}

// Change is a permission change (用户权限变更): giving a user a role, unit and individual
// grants, or revoking their access. It needs a requester allowed to change permissions and
// a different approver allowed to approve (不得私自修改未经报批的用户权限, Art. 20), and both are
// recorded (谁授权、谁负责, Art. 21).
type Change struct {
	At         time.Time
	By         Actor  // who makes the change
	ApprovedBy Actor  // who approved it; must be another user
	User       User   // the new registration (for Revoke only User.ID matters)
	Revoke     bool   // remove the user's access
	Reason     string // why (kept in the event)
}

// changeData is the Data of a permission-change event.
type changeData struct {
	Kind       string `json:"kind"`
	User       *User  `json:"user"`     // the new registration, null on revoke
	Previous   *User  `json:"previous"` // the registration replaced, null if none
	UserID     string `json:"user_id"`
	Revoke     bool   `json:"revoke"`
	ApprovedBy Actor  `json:"approved_by"`
	Reason     string `json:"reason,omitempty"`
}

// Change applies c and appends its permission-change event to l, and returns the event's
// index. The change takes effect only once the event is in the log. When the requester or
// the approver is refused, the access-denied event is appended instead and the error is a
// *DeniedError; invalid input (unknown role, no name) is an error with nothing appended.
//
// The event's actor is the requester, with OnBehalfOf set to the approver's ID; its subject
// is the user's ID; its data holds the new and previous registrations, the approver and the
// reason.
func (p *Permissions) Change(ctx context.Context, l *Log, c Change) (int64, error) {
	if l == nil {
		return -1, errors.New("audit: permission change: no log")
	}
	if c.At.IsZero() {
		return -1, errors.New("audit: permission change: no time")
	}
	if c.User.ID == "" {
		return -1, errors.New("audit: permission change: no user ID")
	}
	c.User.GrantedBy, c.User.ApprovedBy = c.By.ID, c.ApprovedBy.ID
	if !c.Revoke {
		if err := p.checkUser(c.User); err != nil {
			return -1, fmt.Errorf("audit: permission change: %w", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	target := Resource{Kind: KindUser, ID: c.User.ID, Owner: c.User.ID, Unit: c.User.Unit}
	refuse := func(d Decision) (int64, error) {
		ev, _ := d.Event(c.At)
		if _, err := l.Append(ctx, ev); err != nil {
			return -1, errors.Join(d.Err(), fmt.Errorf("audit: record denial: %w", err))
		}
		return -1, d.Err()
	}
	if d, _ := p.authorizeLocked(c.By, ActionPermissionChange, target); !d.Allowed {
		return refuse(d)
	}
	if c.ApprovedBy.ID == "" || c.ApprovedBy.ID == c.By.ID {
		return refuse(Decision{Actor: c.By, Action: ActionPermissionChange, Resource: target, Article: "Art. 20, 21",
			Code: "same-approver", Message: "用户权限变更须经他人审批，申请人不得自行审批"})
	}
	if d, _ := p.authorizeLocked(c.ApprovedBy, ActionApprove, target); !d.Allowed {
		return refuse(d)
	}
	data := changeData{Kind: KindUser, UserID: c.User.ID, Revoke: c.Revoke, Reason: c.Reason,
		ApprovedBy: Actor{ID: c.ApprovedBy.ID, Name: c.ApprovedBy.Name, Role: c.ApprovedBy.Role, Unit: c.ApprovedBy.Unit}}
	if prev, ok := p.users[c.User.ID]; ok {
		data.Previous = &prev
	}
	if !c.Revoke {
		u := cloneUser(c.User)
		data.User = &u
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return -1, fmt.Errorf("audit: permission change: %w", err)
	}
	by := c.By
	by.OnBehalfOf = c.ApprovedBy.ID
	i, err := l.Append(ctx, Event{At: c.At, Actor: by, Action: ActionPermissionChange, Subjects: []string{c.User.ID}, Data: raw})
	if err != nil {
		return -1, fmt.Errorf("audit: permission change: %w", err)
	}
	p.applyLocked(data)
	return i, nil
}

func (p *Permissions) applyLocked(d changeData) {
	if d.Revoke || d.User == nil {
		delete(p.users, d.UserID)
		return
	}
	p.users[d.UserID] = cloneUser(*d.User)
}

// Replay applies a permission-change event taken from the log, to rebuild the registrations
// after a restart: start from the same bootstrap users and replay every permission-change
// event in log order (e.g. from Log.Query with Action ActionPermissionChange, after Verify).
// The authorization of the change is not checked again: the event is the record that it was.
func (p *Permissions) Replay(e Event) error {
	if e.Action != ActionPermissionChange {
		return fmt.Errorf("audit: replay: %s is not a permission change", e.Action)
	}
	var d changeData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return fmt.Errorf("audit: replay: %w", err)
	}
	if d.UserID == "" {
		return errors.New("audit: replay: no user ID")
	}
	if !d.Revoke {
		if d.User == nil || d.User.ID != d.UserID {
			return errors.New("audit: replay: malformed change")
		}
		if err := p.checkUser(*d.User); err != nil {
			return fmt.Errorf("audit: replay: %w", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applyLocked(d)
	return nil
}
