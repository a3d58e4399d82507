package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/verify"
)

// Who may export a bundle: the using unit (the drawer's division), the discipline office
// (a view) and, once the panel is no longer sealed, the city administrator; not a leader,
// not a county bureau of another unit, not an expert. Every export and every refusal is
// recorded; the bundle proves its own export event.
func TestExportBundlePermissions(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t)
	f.formalDraw(t, "R-2026-001")
	expert := audit.Actor{ID: "E0003", Name: "专家", Role: audit.RoleExpert}
	for _, tt := range []struct {
		name   string
		actor  audit.Actor
		denied bool
		sealed bool
	}{
		{"using unit", clerk, false, false},
		{"discipline office", jiwei, false, false},
		{"city admin while sealed", admin, false, true},
		{"leader", leader, true, false},
		{"county of another unit", county, true, false},
		{"expert", expert, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.svc.Log().Size()
			b, err := f.svc.ExportBundle(ctx, tt.actor, "R-2026-001", f.vkey)
			switch {
			case tt.denied:
				require.ErrorIs(t, err, audit.ErrDenied)
			case tt.sealed:
				require.ErrorIs(t, err, expertdb.ErrSealedPanel)
			default:
				require.NoError(t, err)
				require.NoError(t, b.Verify())
				var x struct {
					Action string `json:"action"`
					Actor  struct {
						ID string `json:"id"`
					} `json:"actor"`
				}
				require.NoError(t, json.Unmarshal([]byte(b.Export.Record), &x))
				assert.Equal(t, "export", x.Action)
				assert.Equal(t, tt.actor.ID, x.Actor.ID, "the export event names who exported")
			}
			assert.Greater(t, f.svc.Log().Size(), before, "the export or its refusal is recorded")
		})
	}
	// After the activity the panel is no longer sealed: the city administrator exports.
	*f.now = time.Date(2026, 3, 21, 9, 0, 0, 0, cst)
	b, err := f.svc.ExportBundle(ctx, admin, "R-2026-001", f.vkey)
	require.NoError(t, err)
	require.NoError(t, b.Verify())
	// A key that is not the log's is refused (the bundle would not verify).
	_, otherKey := randomKey(t, rand.New(rand.NewPCG(9, 9)), "wzkj.example/expertdb")
	size := f.svc.Log().Size()
	_, err = f.svc.ExportBundle(ctx, clerk, "R-2026-001", otherKey)
	require.Error(t, err)
	assert.Equal(t, size, f.svc.Log().Size(), "nothing is recorded for a bundle that is not handed out")
	_, err = f.svc.ExportBundle(ctx, clerk, "R-none", f.vkey)
	require.ErrorIs(t, err, expertdb.ErrNotFound)
}

// The bundle carries no personal data: no expert's name (whole or masked), ID number or
// mobile (whole or masked), no unit of an expert, no project leader's name, no reason of a
// decline.
func TestExportBundleHasNoPersonalData(t *testing.T) {
	f := newServiceFixture(t)
	f.formalDraw(t, "R-2026-001")
	b, err := f.svc.ExportBundle(context.Background(), clerk, "R-2026-001", f.vkey)
	require.NoError(t, err)
	require.NotNil(t, b.Campaign)
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	text := string(raw)
	// Unescape the records (JSON in JSON) so that nothing hides behind an escape.
	for range 2 {
		var s string
		if json.Unmarshal([]byte(`"`+strings.ReplaceAll(text, `"`, `\"`)+`"`), &s) == nil {
			text = s
		}
	}
	text = strings.ReplaceAll(text, `\"`, `"`)
	for i := range 16 {
		e := personal(i)
		for _, s := range []string{e.Name, audit.MaskName(e.Name), e.IDNumber, e.IDNumber[:6] + "********" + e.IDNumber[14:],
			e.Mobile, e.Mobile[:3] + "****" + e.Mobile[7:], e.Affiliation.Org} {
			assert.NotContains(t, text, s, "expert %s", e.ID)
		}
	}
	for _, s := range []string{"孙立新", "孙*", "出差"} {
		assert.NotContains(t, text, s)
	}
	assert.NotRegexp(t, `(^|[^0-9a-fA-F])1[3-9][0-9]{9}([^0-9a-fA-F]|$)`, text, "a mobile")
	assert.NotRegexp(t, `[^0-9a-fA-F][0-9]{17}[0-9Xx]([^0-9a-fA-F]|$)`, text, "an ID number")
}

// A practice draw exports as such: the page and Check fail the formal-draw check only.
func TestExportPracticeDraw(t *testing.T) {
	b := practiceBundle(t)
	assert.True(t, verify.Practice(b))
	rs := verify.Check(b)
	assert.Equal(t, []string{"formal"}, verify.Failed(rs))
	for _, r := range rs {
		if r.Check == "formal" {
			assert.Contains(t, r.Detail, "练习抽取，非正式抽取")
		}
		if strings.HasPrefix(r.Check, "commit-") {
			assert.False(t, r.Run, r.Check)
		}
	}
	err := b.Verify()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "formal"), err.Error())
	assert.False(t, errors.Is(err, audit.ErrDenied))
}
