package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/rule"
)

var (
	uAdmin      = audit.User{ID: "u-admin", Name: "管理员甲", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	uAdmin2     = audit.User{ID: "u-admin2", Name: "管理员乙", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	uLeader     = audit.User{ID: "u-leader", Name: "分管领导", Role: audit.RoleLeader, Unit: "市科技局"}
	uDivision   = audit.User{ID: "u-div", Name: "处室用户", Role: audit.RoleDivision, Unit: "高新技术处"}
	uCounty     = audit.User{ID: "u-county", Name: "县用户", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
	uDiscipline = audit.User{ID: "u-jw", Name: "纪委用户", Role: audit.RoleDiscipline, Unit: "局机关纪委"}
	uMaintainer = audit.User{ID: "u-ops", Name: "运维用户", Role: audit.RoleMaintainer, Unit: "科技信息研究院"}
	uExpert     = audit.User{ID: "e-7", Name: "专家本人", Role: audit.RoleExpert, Unit: "温州大学"}
	uGranted    = audit.User{ID: "u-granted", Name: "临时授权", Role: audit.RoleCounty, Unit: "乐清市科技局", Grants: []audit.Action{audit.ActionTraining}}
)

func actorOf(u audit.User) audit.Actor {
	return audit.Actor{ID: u.ID, Name: u.Name, Role: u.Role, Unit: u.Unit}
}

func newPerms(t tb) *audit.Permissions {
	t.Helper()
	p, err := audit.NewPermissions(audit.DefaultPermissionRules(), uAdmin, uAdmin2, uLeader, uDivision, uCounty,
		uDiscipline, uMaintainer, uExpert, uGranted)
	require.NoError(t, err)
	return p
}

func TestAuthorizeDefaultRules(t *testing.T) {
	p := newPerms(t)
	expertProfile := audit.Resource{Kind: audit.KindExpert, ID: "e-1", Owner: "e-1", Personal: true}
	deidentified := audit.Resource{Kind: audit.KindExpert, ID: "e-1", Owner: "e-1"}
	ownRequest := func(u audit.User) audit.Resource {
		return audit.Resource{Kind: audit.KindRequest, ID: "r-1", Unit: u.Unit}
	}
	otherRequest := audit.Resource{Kind: audit.KindRequest, ID: "r-2", Unit: "社会发展科技处"}
	cases := []struct {
		name   string
		u      audit.User
		action audit.Action
		res    audit.Resource
		code   string // "" = allowed
	}{
		{"admin does anything", uAdmin, audit.ActionExit, expertProfile, ""},
		{"admin cannot export personal data", uAdmin, audit.ActionExport, expertProfile, "export-not-de-identified"},
		{"admin exports de-identified", uAdmin, audit.ActionExport, audit.Resource{Kind: audit.KindExpert, Count: 300}, ""},
		{"leader approves", uLeader, audit.ActionApprove, ownRequest(uDivision), ""},
		{"leader does not draw", uLeader, audit.ActionDraw, ownRequest(uLeader), "no-grant"},
		{"division draws for itself", uDivision, audit.ActionDraw, ownRequest(uDivision), ""},
		{"division not for others", uDivision, audit.ActionDraw, otherRequest, "no-grant"},
		{"division views profiles", uDivision, audit.ActionView, expertProfile, ""},
		{"division rates own activity", uDivision, audit.ActionRating, audit.Resource{Kind: audit.KindRating, Unit: uDivision.Unit}, ""},
		{"county draws for itself", uCounty, audit.ActionDraw, ownRequest(uCounty), ""},
		{"county not for the city", uCounty, audit.ActionDraw, otherRequest, "no-grant"},
		{"county sees de-identified profiles", uCounty, audit.ActionView, deidentified, ""},
		{"county not personal data", uCounty, audit.ActionView, expertProfile, "no-grant"},
		{"county admits no one", uCounty, audit.ActionAdmission, audit.Resource{Kind: audit.KindExpert, Unit: uCounty.Unit}, "no-grant"},
		{"discipline views the audit trail", uDiscipline, audit.ActionView, audit.Resource{Kind: audit.KindAudit}, ""},
		{"discipline views personal data", uDiscipline, audit.ActionView, expertProfile, ""},
		{"discipline is read-only", uDiscipline, audit.ActionDraw, otherRequest, "discipline-read-only"},
		{"maintainer updates the system", uMaintainer, audit.ActionUpdate, audit.Resource{Kind: audit.KindSystem}, ""},
		{"maintainer views de-identified", uMaintainer, audit.ActionView, deidentified, ""},
		{"maintainer no personal data", uMaintainer, audit.ActionView, expertProfile, "maintainer-personal-data"},
		{"maintainer no draw", uMaintainer, audit.ActionDraw, otherRequest, "no-grant"},
		{"expert views own record", uExpert, audit.ActionView, audit.Resource{Kind: audit.KindExpert, ID: "e-7", Owner: "e-7", Personal: true}, ""},
		{"expert replies to a notice", uExpert, audit.ActionRespond, audit.Resource{Kind: audit.KindRequest, ID: "r-1", Owner: "e-7"}, ""},
		{"expert asks to exit", uExpert, audit.ActionExit, audit.Resource{Kind: audit.KindExpert, ID: "e-7", Owner: "e-7"}, ""},
		{"expert not another's record", uExpert, audit.ActionView, expertProfile, "no-grant"},
		{"expert cannot rate", uExpert, audit.ActionRating, audit.Resource{Kind: audit.KindRating, Owner: "e-7"}, "no-grant"},
		{"individual grant", uGranted, audit.ActionTraining, audit.Resource{Kind: audit.KindExpert}, ""},
		{"grant does not beat deny", uGranted, audit.ActionExport, expertProfile, "export-not-de-identified"},
		{"unknown action", uAdmin, "erase", expertProfile, "unknown-action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := p.Authorize(actorOf(c.u), c.action, c.res)
			require.NoError(t, err)
			if c.code == "" {
				assert.True(t, d.Allowed, "%+v", d)
				require.NoError(t, d.Err())
				_, isDenial := d.Event(t0)
				assert.False(t, isDenial)
				return
			}
			assert.False(t, d.Allowed)
			assert.Equal(t, c.code, d.Code)
			assert.Regexp(t, `^Art\. \d+`, d.Article)
			assert.NotEmpty(t, d.Message)
			var de *audit.DeniedError
			require.ErrorAs(t, d.Err(), &de)
			require.ErrorIs(t, d.Err(), audit.ErrDenied)
			assert.Equal(t, c.code, de.Code)
		})
	}
}

func TestAuthorizeIdentity(t *testing.T) {
	p := newPerms(t)
	res := audit.Resource{Kind: audit.KindRequest, Unit: uDivision.Unit}
	stranger := audit.Actor{ID: "u-x", Name: "陌生人", Role: audit.RoleCityAdmin}
	d, err := p.Authorize(stranger, audit.ActionView, res)
	require.NoError(t, err)
	assert.Equal(t, "unregistered", d.Code)

	claimed := actorOf(uDivision)
	claimed.Role = audit.RoleCityAdmin // claims a role it was not given
	d, _ = p.Authorize(claimed, audit.ActionDraw, res)
	assert.Equal(t, "identity-mismatch", d.Code)

	otherName := actorOf(uDivision)
	otherName.Name = "别人"
	d, _ = p.Authorize(otherName, audit.ActionDraw, res)
	assert.Equal(t, "identity-mismatch", d.Code)
}

// Deny by default: with no allow rule, nothing is allowed, for any actor, action and resource.
func TestDenyByDefault(t *testing.T) {
	r := audit.DefaultPermissionRules()
	r.Allow = nil
	p, err := audit.NewPermissions(r, uAdmin, uDivision, uExpert)
	require.NoError(t, err)
	rapid.Check(t, func(t *rapid.T) {
		u := rapid.SampledFrom([]audit.User{uAdmin, uDivision, uExpert}).Draw(t, "user")
		res := audit.Resource{
			Kind:     rapid.SampledFrom([]string{audit.KindExpert, audit.KindRequest, audit.KindAudit, "x"}).Draw(t, "kind"),
			ID:       rapid.StringMatching(`[a-z0-9-]{0,6}`).Draw(t, "id"),
			Owner:    rapid.SampledFrom([]string{"", u.ID, "e-1"}).Draw(t, "owner"),
			Unit:     rapid.SampledFrom([]string{"", u.Unit}).Draw(t, "unit"),
			Personal: rapid.Bool().Draw(t, "personal"),
		}
		d, err := p.Authorize(actorOf(u), rapid.SampledFrom(audit.Actions()).Draw(t, "action"), res)
		require.NoError(t, err)
		require.False(t, d.Allowed)
	})
}

// Every denial yields an event that can be appended, whatever the actor and resource hold
// (even an unmasked mobile number used as a lookup key), with no personal data in it.
func TestEveryDenialIsAnAppendableEvent(t *testing.T) {
	p := newPerms(t)
	rapid.Check(t, func(t *rapid.T) {
		actor := audit.Actor{
			ID:   rapid.SampledFrom([]string{"", "u-x", uCounty.ID, "13812345678"}).Draw(t, "id"),
			Name: rapid.SampledFrom([]string{"", uCounty.Name, "张三"}).Draw(t, "name"),
			Role: rapid.SampledFrom([]string{"", audit.RoleCounty, audit.RoleCityAdmin}).Draw(t, "role"),
			Unit: uCounty.Unit,
		}
		res := audit.Resource{
			Kind:     audit.KindExpert,
			ID:       rapid.SampledFrom([]string{"", "e-1", "13912345678", "330302199001011234"}).Draw(t, "rid"),
			Personal: true,
		}
		d, _ := p.Authorize(actor, audit.ActionView, res)
		e, ok := d.Event(t0)
		if d.Allowed {
			require.False(t, ok)
			return
		}
		require.True(t, ok)
		rec, err := e.Encode()
		require.NoError(t, err)
		require.NotContains(t, string(rec), "13812345678")
		require.NotContains(t, string(rec), "13912345678")
		require.NotContains(t, string(rec), "19900101")
		require.Equal(t, audit.ActionAccessDenied, e.Action)
		require.Contains(t, string(rec), `"code":"`+d.Code+`"`)
		require.NotContains(t, d.Err().Error(), "13812345678")
	})
}

func TestEnforceRecordsDenials(t *testing.T) {
	ctx := context.Background()
	p := newPerms(t)
	l, _, _ := newLog(t, 0)
	res := audit.Resource{Kind: audit.KindExpert, ID: "e-1", Personal: true}
	d, err := p.Enforce(ctx, l, t0, actorOf(uMaintainer), audit.ActionView, res)
	require.ErrorIs(t, err, audit.ErrDenied)
	assert.False(t, d.Allowed)
	evs, err := l.Events(ctx, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, audit.ActionAccessDenied, evs[0].Action)
	assert.Equal(t, []string{"e-1"}, evs[0].Subjects)
	assert.Equal(t, uMaintainer.ID, evs[0].Actor.ID)
	var data map[string]any
	require.NoError(t, json.Unmarshal(evs[0].Data, &data))
	assert.Equal(t, "maintainer-personal-data", data["code"])
	assert.Equal(t, "view", data["action"])

	d, err = p.Enforce(ctx, l, t0, actorOf(uDivision), audit.ActionView, res)
	require.NoError(t, err)
	assert.True(t, d.Allowed)
	assert.Equal(t, int64(1), l.Size(), "allowed operations are recorded by the caller, not by Enforce")
}

func TestPermissionChange(t *testing.T) {
	ctx := context.Background()
	p := newPerms(t)
	l, _, _ := newLog(t, 0)
	newUser := audit.User{ID: "u-new", Name: "新用户", Role: audit.RoleDivision, Unit: "社会发展科技处"}
	change := audit.Change{At: t0, By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: newUser, Reason: "新入职"}

	d, err := p.Authorize(actorOf(newUser), audit.ActionView, audit.Resource{Kind: audit.KindExpert})
	require.NoError(t, err)
	assert.Equal(t, "unregistered", d.Code)
	i, err := p.Change(ctx, l, change)
	require.NoError(t, err)
	assert.Equal(t, int64(0), i)
	got, ok := p.User("u-new")
	require.True(t, ok)
	assert.Equal(t, uAdmin.ID, got.GrantedBy)
	assert.Equal(t, uLeader.ID, got.ApprovedBy)
	d, _ = p.Authorize(actorOf(newUser), audit.ActionView, audit.Resource{Kind: audit.KindExpert})
	assert.True(t, d.Allowed)

	evs, err := l.Events(ctx, 0, 1)
	require.NoError(t, err)
	e := evs[0]
	assert.Equal(t, audit.ActionPermissionChange, e.Action)
	assert.Equal(t, uLeader.ID, e.Actor.OnBehalfOf, "on whose authority (Art. 21)")
	assert.Equal(t, []string{"u-new"}, e.Subjects)
	assert.Contains(t, string(e.Data), `"reason":"新入职"`)

	// Revoke.
	_, err = p.Change(ctx, l, audit.Change{At: t0, By: actorOf(uAdmin2), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-new"}, Revoke: true})
	require.NoError(t, err)
	_, ok = p.User("u-new")
	assert.False(t, ok)
	d, _ = p.Authorize(actorOf(newUser), audit.ActionView, audit.Resource{Kind: audit.KindExpert})
	assert.Equal(t, "unregistered", d.Code)
}

func TestPermissionChangeRefusals(t *testing.T) {
	ctx := context.Background()
	target := audit.User{ID: "u-new", Name: "新用户", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
	cases := []struct {
		name  string
		c     audit.Change
		code  string // "" = invalid input, nothing appended
		actor string // who the denial event names
	}{
		{"no approver", audit.Change{By: actorOf(uAdmin), User: target}, "same-approver", uAdmin.ID},
		{"self-approval", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uAdmin), User: target}, "same-approver", uAdmin.ID},
		{"requester may not change permissions", audit.Change{By: actorOf(uDivision), ApprovedBy: actorOf(uLeader), User: target}, "no-grant", uDivision.ID},
		{"approver may not approve", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uCounty), User: target}, "no-grant", uCounty.ID},
		{"own permissions", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: audit.User{ID: uAdmin.ID, Name: uAdmin.Name, Role: audit.RoleCityAdmin, Unit: "x"}}, "own-permissions", uAdmin.ID},
		{"approving own permissions", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uAdmin2), User: audit.User{ID: uAdmin2.ID, Name: uAdmin2.Name, Role: audit.RoleCityAdmin}}, "own-permissions", uAdmin2.ID},
		{"unregistered approver", audit.Change{By: actorOf(uAdmin), ApprovedBy: audit.Actor{ID: "u-x", Name: "某", Role: audit.RoleLeader}, User: target}, "unregistered", "u-x"},
		{"unknown role", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-n", Name: "某", Role: "superuser"}}, "", ""},
		{"no name", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-n", Role: audit.RoleCounty}}, "", ""},
		{"bad grant", audit.Change{By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-n", Name: "某", Role: audit.RoleCounty, Grants: []audit.Action{"erase"}}}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPerms(t)
			before := p.Users()
			l, _, _ := newLog(t, 0)
			c.c.At = t0
			_, err := p.Change(ctx, l, c.c)
			require.Error(t, err)
			assert.Equal(t, before, p.Users(), "a refused change changes nothing")
			if c.code == "" {
				assert.False(t, errors.Is(err, audit.ErrDenied))
				assert.Zero(t, l.Size())
				return
			}
			var de *audit.DeniedError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, c.code, de.Code)
			require.Equal(t, int64(1), l.Size(), "the denial is an event")
			evs, err := l.Events(ctx, 0, 1)
			require.NoError(t, err)
			assert.Equal(t, audit.ActionAccessDenied, evs[0].Action)
			assert.Equal(t, c.actor, evs[0].Actor.ID)
		})
	}
}

// Replaying the permission-change events of the log over the bootstrap users rebuilds the
// same registrations.
func TestReplayRebuildsRegistrations(t *testing.T) {
	ctx := context.Background()
	p := newPerms(t)
	l, _, _ := newLog(t, 0)
	for i, u := range []audit.User{
		{ID: "u-1", Name: "甲", Role: audit.RoleCounty, Unit: "鹿城区科技局"},
		{ID: "u-2", Name: "乙", Role: audit.RoleDivision, Unit: "高新技术处", Grants: []audit.Action{audit.ActionInvite}},
		{ID: "u-1", Name: "甲", Role: audit.RoleDivision, Unit: "高新技术处"},
	} {
		_, err := p.Change(ctx, l, audit.Change{At: t0.Add(timeMinutes(i)), By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: u})
		require.NoError(t, err)
	}
	_, err := p.Change(ctx, l, audit.Change{At: t0, By: actorOf(uAdmin), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-2"}, Revoke: true})
	require.NoError(t, err)
	_, err = p.Change(ctx, l, audit.Change{At: t0, By: actorOf(uCounty), ApprovedBy: actorOf(uLeader), User: audit.User{ID: "u-9", Name: "丙", Role: audit.RoleCounty}})
	require.ErrorIs(t, err, audit.ErrDenied)

	fresh := newPerms(t)
	r, err := l.Query(ctx, audit.Query{Action: audit.ActionPermissionChange})
	require.NoError(t, err)
	for _, m := range r.Matches {
		require.NoError(t, fresh.Replay(m.Event))
	}
	assert.Equal(t, p.Users(), fresh.Users())
	require.Error(t, fresh.Replay(ev(0)))
}

func TestPermissionRulesReportEveryError(t *testing.T) {
	_, err := audit.NewPermissions(audit.PermissionRules{
		Allow: []rule.Rule{{Name: "a", Expr: `actor.Rol == "x"`}, {Name: "b", Expr: `action ==`}},
		Deny:  []rule.Rule{{Name: "c", Expr: `resource.Personal`}, {Name: "d", Expr: `resource.Count`}},
	}, audit.User{ID: "x", Name: "某", Role: "god"})
	require.Error(t, err)
	var n int
	for _, name := range []string{`"a"`, `"b"`, `"d"`, `unknown role`} {
		if assert.Contains(t, err.Error(), name) {
			n++
		}
	}
	assert.Equal(t, 4, n)
	var ce *rule.CompileError
	require.ErrorAs(t, err, &ce)
	assert.Positive(t, ce.Line)
}

// A county can configure its own rules by expression.
func TestCountyRules(t *testing.T) {
	r := audit.DefaultPermissionRules()
	r.Roles = append(r.Roles, "auditor")
	r.Allow = append(r.Allow, rule.Rule{Name: "external-auditor", Article: "Art. 18",
		Expr: `actor.Role == "auditor" && action == "view" && resource.Kind == "audit" && actor.OnBehalfOf != ""`})
	auditor := audit.User{ID: "u-aud", Name: "审计", Role: "auditor", Unit: "审计局"}
	p, err := audit.NewPermissions(r, auditor)
	require.NoError(t, err)
	a := actorOf(auditor)
	d, _ := p.Authorize(a, audit.ActionView, audit.Resource{Kind: audit.KindAudit})
	assert.False(t, d.Allowed, "acting on no one's authority")
	a.OnBehalfOf = "u-leader"
	d, _ = p.Authorize(a, audit.ActionView, audit.Resource{Kind: audit.KindAudit})
	assert.True(t, d.Allowed)
	assert.Equal(t, "external-auditor", d.Rule)
}

// A rule that fails at run time denies (fail closed) and reports the error.
func TestFailingRuleDenies(t *testing.T) {
	r := audit.DefaultPermissionRules()
	r.Deny = append(r.Deny, rule.Rule{Name: "boom", Article: "Art. 18", Expr: `len(actor.Grants) > 0 && actor.Grants[5] == "x"`})
	p, err := audit.NewPermissions(r, uGranted)
	require.NoError(t, err)
	d, err := p.Authorize(actorOf(uGranted), audit.ActionTraining, audit.Resource{})
	require.ErrorIs(t, err, rule.ErrEval)
	assert.False(t, d.Allowed)
	assert.Equal(t, "boom", d.Code)
}

// Expression errors can quote values; the package masks them before handing them out.
func TestEvaluationErrorsAreScrubbed(t *testing.T) {
	r := audit.DefaultPermissionRules()
	r.Deny = append(r.Deny, rule.Rule{Name: "dur", Article: "Art. 18", Expr: `duration(resource.ID) > duration("1h")`})
	p, err := audit.NewPermissions(r, uAdmin)
	require.NoError(t, err)
	d, err := p.Authorize(actorOf(uAdmin), audit.ActionView, audit.Resource{ID: "13812345678"})
	require.ErrorIs(t, err, rule.ErrEval)
	assert.False(t, d.Allowed)
	assert.NotContains(t, err.Error(), "13812345678")
	assert.Contains(t, err.Error(), "138****5678")
}
