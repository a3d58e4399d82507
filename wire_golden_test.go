package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

var writeGolden = flag.String("golden-write", "", "write the golden wire files of the current format into testdata/golden/<version>")

// goldenWorld runs one draw and a short campaign (two acceptances, one decline) in a Service
// whose event store is returned, so that the records it keeps can be read back verbatim.
func goldenWorld(t testing.TB) (*expertdb.Service, *expertdb.MemoryEventStore, *expertdb.DrawRecord) {
	t.Helper()
	ctx := context.Background()
	skey, _, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "expertdb.golden")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	events := expertdb.NewMemoryEventStore()
	notifier := &expertdb.RecordingNotifier{}
	now := rpPool.AsOf
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: []audit.User{
			{ID: rpAdmin.ID, Name: rpAdmin.Name, Role: rpAdmin.Role, Unit: rpAdmin.Unit},
			{ID: rpClerk.ID, Name: rpClerk.Name, Role: rpClerk.Role, Unit: rpClerk.Unit},
		},
		Events: events, Notifier: notifier,
		Audit: audit.NewMemoryStore(), Signer: signer, Clock: func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{9}, 1<<14)),
	})
	require.NoError(t, err)
	for _, app := range rpPool.Applications {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err, app.Expert.ID)
	}
	rec, err := svc.Draw(ctx, rpClerk, rpRequest("R-GOLD-1"))
	require.NoError(t, err)
	view, err := svc.StartCampaign(ctx, rpClerk, rec.Request.ID)
	require.NoError(t, err)
	code := func(id string) string {
		sent := notifier.Sent()
		for i := len(sent) - 1; i >= 0; i-- {
			if sent[i].ExpertID == id {
				return sent[i].Code
			}
		}
		return ""
	}
	for i, seat := range view.Seats[:3] {
		r := expertdb.Response{ExpertID: seat.ExpertID, Code: code(seat.ExpertID), Accept: i != 1, Pledge: "PL-1"}
		if i == 1 {
			r.Pledge, r.Reason, r.UnfamiliarField = "", "field unfamiliar", true
		}
		_, err := svc.Respond(ctx, rpClerk, rec.Request.ID, r)
		require.NoError(t, err)
	}
	return svc, events, rec
}

// TestWriteGolden writes the golden files of the current wire format when -golden-write is
// given (go test -run TestWriteGolden -golden-write=vX.Y.Z .).
func TestWriteGolden(t *testing.T) {
	if *writeGolden == "" {
		t.Skip("-golden-write not given")
	}
	ctx := context.Background()
	_, events, rec := goldenWorld(t)
	dir := filepath.Join("testdata", "golden", *writeGolden)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	raw, err := events.Events(ctx, "draw/"+rec.Request.ID)
	require.NoError(t, err)
	require.Len(t, raw, 1)
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, raw[0], "", "  "))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "draw-record.json"), append(pretty.Bytes(), '\n'), 0o644))
	evs, err := events.Events(ctx, "campaign/"+rec.Request.ID)
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	var lines bytes.Buffer
	for _, e := range evs {
		lines.Write(e)
		lines.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "campaign-events.jsonl"), lines.Bytes(), 0o644))
	if profiles := goldenProfiles(t, events, raw[0]); profiles != nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "profiles.txt"), profiles, 0o644))
	}
}

// goldenProfiles returns the blobs a stored draw record references (issue 14), one line
// each, "<digest> <bytes>": its profile manifest and the manifest's chunks, then the profile
// versions they list, in order (or, in a record of per-candidate references, the versions in
// the record's order); nil when it references none.
func goldenProfiles(t *testing.T, events expertdb.EventStore, record []byte) []byte {
	var rec expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(record, &rec))
	var digests []string
	switch {
	case rec.ProfileManifest != "":
		ps := expertdb.EventProfiles(events)
		chunks, _ := manifestBlobs(t, ps, rec.ProfileManifest)
		digests = append([]string{rec.ProfileManifest}, chunks...)
		raw, err := ps.Profiles(context.Background(), chunks)
		require.NoError(t, err)
		for _, b := range raw {
			var c struct {
				Profiles [][2]string `json:"profiles"`
			}
			require.NoError(t, json.Unmarshal(b, &c))
			for _, p := range c.Profiles {
				digests = append(digests, p[1])
			}
		}
	case len(rec.Profiles) > 0:
		for _, r := range rec.Profiles {
			digests = append(digests, r.Digest)
		}
	default:
		return nil
	}
	data, err := expertdb.EventProfiles(events).Profiles(context.Background(), digests)
	require.NoError(t, err)
	var out bytes.Buffer
	for i, d := range digests {
		out.WriteString(d + " ")
		out.Write(data[i])
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// loadGoldenProfiles stores the profile versions of a golden profiles.txt, when the
// directory has one, in a fresh profile store.
func loadGoldenProfiles(t *testing.T, dir string) expertdb.ProfileStore {
	ps := expertdb.EventProfiles(expertdb.NewMemoryEventStore())
	raw, err := os.ReadFile(filepath.Join(dir, "profiles.txt"))
	if os.IsNotExist(err) {
		return ps
	}
	require.NoError(t, err)
	for _, l := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		d, data, ok := bytes.Cut(l, []byte(" "))
		require.True(t, ok)
		require.NoError(t, ps.PutProfiles(context.Background(), expertdb.Profile{Digest: string(d), Data: data}))
	}
	return ps
}

// TestGoldenRecordsReplay: the draw records and campaign events archived by every released
// format still decode, replay to the recorded result and rebuild the campaign.
func TestGoldenRecordsReplay(t *testing.T) {
	// v2-profile-refs: the v2 record as written before profile manifests, one reference per
	// candidate (issue 14, first round); v2 names a profile manifest.
	for _, version := range []string{"v0.1.0", "v2-profile-refs", "v2"} {
		t.Run(version, func(t *testing.T) {
			dir := filepath.Join("testdata", "golden", version)
			raw, err := os.ReadFile(filepath.Join(dir, "draw-record.json"))
			require.NoError(t, err)
			var rec expertdb.DrawRecord
			require.NoError(t, json.Unmarshal(raw, &rec))
			require.NoError(t, expertdb.ResolveProfiles(context.Background(), &rec, loadGoldenProfiles(t, dir)))
			require.Equal(t, "R-GOLD-1", rec.Request.ID)
			require.NotNil(t, rec.Result)
			require.Len(t, rec.Result.Panel, 5)
			rep, err := expertdb.ReplayDraw(&rec, nil)
			require.NoError(t, err)
			require.True(t, rep.Match, rep.String())

			lines, err := os.ReadFile(filepath.Join(dir, "campaign-events.jsonl"))
			require.NoError(t, err)
			var evs []selection.Event
			for _, l := range bytes.Split(bytes.TrimSpace(lines), []byte("\n")) {
				var e selection.Event
				require.NoError(t, json.Unmarshal(l, &e))
				evs = append(evs, e)
			}
			prepared, err := selection.Prepare(rec.Request, expertdb.DefaultPolicy().Selection)
			require.NoError(t, err)
			c, err := selection.NewCampaign(prepared, rec.Pool, rec.Entropy, rec.Window)
			require.NoError(t, err)
			require.NoError(t, c.Replay(evs))
			var accepted, declined int
			for _, s := range c.Seats() {
				switch s.Status {
				case selection.SeatAccepted:
					accepted++
				case selection.SeatDeclined:
					declined++
				}
			}
			require.Equal(t, 2, accepted)
			require.Equal(t, 1, declined)
		})
	}
}

// TestGoldenCurrentFormat: the Service writes today exactly the committed golden files of
// the current format (testdata/golden/v2): snake_case keys, enums as codes, the window as a
// duration string. A change of the wire format shows here as a deliberate edit.
func TestGoldenCurrentFormat(t *testing.T) {
	ctx := context.Background()
	_, events, rec := goldenWorld(t)
	raw, err := events.Events(ctx, "draw/"+rec.Request.ID)
	require.NoError(t, err)
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, raw[0], "", "  "))
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "v2", "draw-record.json"))
	require.NoError(t, err)
	require.Equal(t, string(want), pretty.String()+"\n", "run go test -run TestWriteGolden -golden-write=v2 .")
	s := pretty.String()
	require.Contains(t, s, `"version": "`+expertdb.DrawRecordVersion+`"`)
	require.Contains(t, s, `"mode": "v1"`)
	profiles := goldenProfiles(t, events, raw[0])
	wantProfiles, err := os.ReadFile(filepath.Join("testdata", "golden", "v2", "profiles.txt"))
	require.NoError(t, err)
	require.Equal(t, string(wantProfiles), string(profiles), "run go test -run TestWriteGolden -golden-write=v2 .")
	require.Contains(t, string(profiles), `"title":"`)
	require.NotContains(t, s, `"IDNumber"`)
	require.NotContains(t, s, `"ID"`)
	evs, err := events.Events(ctx, "campaign/"+rec.Request.ID)
	require.NoError(t, err)
	lines, err := os.ReadFile(filepath.Join("testdata", "golden", "v2", "campaign-events.jsonl"))
	require.NoError(t, err)
	require.Equal(t, string(lines), string(bytes.Join(evs, []byte("\n")))+"\n")
}
