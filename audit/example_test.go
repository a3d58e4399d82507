package audit_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// Append events, sign a checkpoint, prove that one event is in the log, verify the whole
// log, answer an expert's query with proofs, and catch a reordering.
func Example() {
	ctx := context.Background()
	// In production the key comes from a secret store; here a fixed seed keeps the output stable.
	skey, vkey, _ := note.GenerateKey(strings.NewReader(strings.Repeat("wenzhou-expertdb", 2)), "audit.wzkj.example/expertdb")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)

	store := audit.NewMemoryStore()
	log, err := audit.NewLog(ctx, store, signer)
	if err != nil {
		panic(err)
	}
	clerk := audit.Actor{ID: "u-17", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
	at := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	_, _ = log.Append(ctx, audit.Event{At: at, Actor: clerk, Action: audit.ActionRequest, Subjects: []string{"r-2024-031"}})
	draw, _ := log.Append(ctx, audit.Event{At: at.Add(time.Hour), Actor: clerk, Action: audit.ActionDraw,
		Subjects: []string{"r-2024-031", "e-0042", "e-0107"}, Data: json.RawMessage(`{"kind": "request", "size": 2}`)})
	_, _ = log.AppendBatch(ctx,
		audit.Event{At: at.Add(2 * time.Hour), Actor: clerk, Action: audit.ActionNotify, Subjects: []string{"r-2024-031", "e-0042"}},
		audit.Event{At: at.Add(2 * time.Hour), Actor: clerk, Action: audit.ActionNotify, Subjects: []string{"r-2024-031", "e-0107"}})

	signed, _ := log.Checkpoint(ctx)
	cp, _ := audit.OpenCheckpoint(signed, verifier)
	fmt.Print(string(cp.Text()))

	proof, _ := log.ProveInclusion(draw, cp.Size)
	rec, _ := store.Read(ctx, draw, 1)
	fmt.Println("draw is in the log:", audit.CheckInclusion(cp, proof, rec[0]) == nil)
	fmt.Println("log verifies:", audit.Verify(ctx, store, signed, verifier) == nil)

	res, _ := log.Query(ctx, audit.Query{Subject: "e-0042"})
	for _, m := range res.Matches {
		fmt.Println(m.Index, m.Event.Action.Label(), m.Event.At.Format("15:04"))
	}
	fmt.Println("answer verifies:", res.Verify(verifier) == nil)

	recs, _ := store.Read(ctx, 0, 4)
	reordered := audit.NewMemoryStore()
	_ = reordered.Append(ctx, recs[0], recs[2], recs[1], recs[3])
	fmt.Println("reordered store detected:", errors.Is(audit.Verify(ctx, reordered, signed, verifier), audit.ErrMismatch))
	// Output:
	// audit.wzkj.example/expertdb
	// 4
	// oLNMyeW2JRJPKIoc+XlKLW0z17COGMm55tj3DNdSCSs=
	// draw is in the log: true
	// log verifies: true
	// 1 专家抽取 10:00
	// 2 短信通知 11:00
	// answer verifies: true
	// reordered store detected: true
}

func ExampleEvent_Encode() {
	e := audit.Event{
		At:       time.Date(2024, 5, 6, 17, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		Actor:    audit.Actor{ID: "e-0042", Name: "吴三", Role: audit.RoleExpert},
		Action:   audit.ActionRespond,
		Subjects: []string{"r-2024-031", "e-0042"},
		Data:     json.RawMessage(`{ "reply": "accept", "pledge": true }`),
	}
	rec, _ := e.Encode()
	fmt.Println(string(rec))

	e.Data = json.RawMessage(`{"mobile": "13812345678"}`)
	_, err := e.Encode()
	fmt.Println(err)
	// Output:
	// {"v":1,"at":"2024-05-06T09:00:00Z","actor":{"id":"e-0042","name":"吴三","role":"expert","unit":"","on_behalf_of":""},"action":"respond","subjects":["r-2024-031","e-0042"],"data":{"pledge":true,"reply":"accept"}}
	// audit: unmasked personal data: data contains a mobile number (138****5678); mask it with MaskMobile (Art. 20)
}

func ExampleRedact() {
	e := admission.Expert{ID: "e-0042", Name: "欧阳娜娜", IDNumber: "330302199001011234", Mobile: "13812345678",
		BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := audit.Redact(e)
	fmt.Println(r.Name, r.IDNumber, r.Mobile, r.BirthDate.Format("2006-01-02"))
	fmt.Println(audit.MaskName("张三"), audit.MaskEmail("zhangsan@example.com"))
	// Output:
	// 欧阳** 330302********1234 138****5678 1990-01-01
	// 张* z*******@example.com
}

func ExamplePermissions_Authorize() {
	admin := audit.User{ID: "u-1", Name: "管理员", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	ops := audit.User{ID: "u-2", Name: "运维", Role: audit.RoleMaintainer, Unit: "科技信息研究院"}
	perms, err := audit.NewPermissions(audit.DefaultPermissionRules(), admin, ops)
	if err != nil {
		panic(err)
	}
	profile := audit.Resource{Kind: audit.KindExpert, ID: "e-0042", Personal: true}
	for _, u := range []audit.User{admin, ops} {
		d, _ := perms.Authorize(audit.Actor{ID: u.ID, Name: u.Name, Role: u.Role, Unit: u.Unit}, audit.ActionView, profile)
		fmt.Println(u.Role, d.Allowed, d.Code, d.Article)
		if e, denied := d.Event(time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)); denied {
			fmt.Println("record:", e.Action, e.Subjects, d.Message)
		}
	}
	// Output:
	// city-admin true city-admin Art. 3, 18
	// maintainer false maintainer-personal-data Art. 19, 20
	// record: access-denied [e-0042] 运维人员不得查看或处理专家个人敏感信息
}

func ExampleAlerter() {
	a, _ := audit.NewAlerter(audit.DefaultAlertRules())
	clerk := audit.Actor{ID: "u-17", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
	at := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	for i, req := range []string{"r-1", "r-2", "r-1"} {
		alerts, _ := a.Observe(int64(i), audit.Event{At: at, Actor: clerk, Action: audit.ActionDraw, Subjects: []string{req}})
		for _, al := range alerts {
			fmt.Println(al.Rule, al.Key, al.Count, al.Article, al.Message)
		}
	}
	// Output:
	// redraw r-1 2 Art. 14, 22(5) 同一抽取申请被再次抽取，疑似重复抽取以选择专家，请核查
}

// ExampleCreateKeyFiles makes the log's checkpoint key once, at installation, and loads it at
// every start, so checkpoints handed out before a restart still verify.
func ExampleCreateKeyFiles() {
	dir, _ := os.MkdirTemp("", "keys")
	defer os.RemoveAll(dir)
	skey, vkey := filepath.Join(dir, "expertdb.key"), filepath.Join(dir, "expertdb.pub")
	if err := audit.CreateKeyFiles(skey, vkey, "wzkj.expertdb", rand.Reader); err != nil {
		fmt.Println(err)
		return
	}
	signer, err := audit.LoadSigner(skey)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, text, _ := audit.LoadVerifier(vkey)
	fmt.Println(signer.Name(), strings.HasPrefix(text, "wzkj.expertdb+"))
	err = audit.CreateKeyFiles(skey, vkey, "wzkj.expertdb", rand.Reader)
	fmt.Println(errors.Is(err, audit.ErrKeyFile))
	// Output:
	// wzkj.expertdb true
	// true
}
