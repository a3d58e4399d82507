// Command httpapi is a reference HTTP JSON service over expertdb.Service and the SQL store
// (examples/sqlstore): SQLite by default, PostgreSQL with -postgres or EXPERTDB_POSTGRES.
// It covers a request's whole life — admission (application and review), listing and
// searching experts, submitting a draw request, approval, commitment to a future public
// value, the draw, notices and their delivery, replies with the one-time code, ratings, the
// signed checkpoint and the verification bundle — with net/http's method and wildcard
// patterns (Go 1.22+) and no web framework. openapi.yaml (OpenAPI 3.1, served at
// /openapi.yaml) describes every operation; the tests check every handler against it.
//
// Every body is a library wire type; every error is RFC 9457 problem details built from the
// library's problem.Problem (code, article, Chinese message, field, line, column).
//
// Authentication is a plug-in point (Authenticator, auth.go). The example ships
// DevHeaderAuthenticator, which trusts a header and is NOT FOR PRODUCTION.
//
//	go run . -db expertdb.sqlite -keys keys -addr 127.0.0.1:8080
//	curl -H 'X-Expertdb-User: u-clerk' 'http://127.0.0.1:8080/v1/experts?status=active&limit=5'
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/postgres"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
)

//go:embed openapi.yaml
var openapiYAML []byte

// devUsers are the registered users of a fresh installation when -users is not given: one of
// each role, for trying the API. A real deployment registers its users from its own records.
var devUsers = []audit.User{
	{ID: "u-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"},
	{ID: "u-admin2", Name: "吴倩", Role: audit.RoleCityAdmin, Unit: "市科技局"},
	{ID: "u-leader", Name: "郑国强", Role: audit.RoleLeader, Unit: "市科技局"},
	{ID: "u-clerk", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"},
	{ID: "u-county", Name: "陈六", Role: audit.RoleCounty, Unit: "瑞安市科技局"},
	{ID: "u-disc", Name: "赵七", Role: audit.RoleDiscipline, Unit: "局机关纪委"},
	{ID: "u-ops", Name: "钱八", Role: audit.RoleMaintainer, Unit: "温州市科技信息研究院"},
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dbPath := flag.String("db", "expertdb.sqlite", "SQLite database file (ignored with -postgres)")
	pg := flag.String("postgres", os.Getenv("EXPERTDB_POSTGRES"), "PostgreSQL DSN (default $EXPERTDB_POSTGRES); empty = SQLite")
	keys := flag.String("keys", "keys", "directory of the checkpoint key (checkpoint.key, checkpoint.pub; created on first run)")
	usersFile := flag.String("users", "", "JSON file of the registered users ([]audit.User); empty = the built-in demo users")
	policyFile := flag.String("policy", "", "county profile (YAML); empty = the city's rules")
	flag.Parse()
	if err := run(context.Background(), *addr, *dbPath, *pg, *keys, *usersFile, *policyFile); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr, dbPath, pg, keys, usersFile, policyFile string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	db, err := openDB(ctx, dbPath, pg)
	if err != nil {
		return err
	}
	defer db.Close()
	users := devUsers
	if usersFile != "" {
		data, err := os.ReadFile(usersFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &users); err != nil {
			return fmt.Errorf("users %s: %w", usersFile, err)
		}
	}
	policy := expertdb.DefaultPolicy()
	if policyFile != "" {
		src, err := os.ReadFile(policyFile)
		if err != nil {
			return err
		}
		if policy, err = expertdb.LoadPolicy(src); err != nil {
			return fmt.Errorf("policy %s: %w", policyFile, err)
		}
	}
	svc, vkey, err := newService(ctx, db, keys, policy, users, nil, nil)
	if err != nil {
		return err
	}
	log.Printf("WARNING: DevHeaderAuthenticator is in use: anyone who can reach %s may act as any user by sending %s. NOT FOR PRODUCTION: plug in your identity provider (auth.go).", addr, devUserHeader)
	srv := &http.Server{Addr: addr, Handler: newServer(svc, DevHeaderAuthenticator{Users: svc.Users}, vkey),
		ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("expertdb httpapi listening on http://%s (OpenAPI at /openapi.yaml)", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDB opens PostgreSQL when a DSN is given, else the SQLite file.
func openDB(ctx context.Context, dbPath, pg string) (*sqlstore.DB, error) {
	if pg != "" {
		return postgres.Open(ctx, pg, sqlstore.Options{})
	}
	return sqlite.Open(ctx, dbPath, sqlstore.Options{})
}

// newService opens the Service over db with the persistent checkpoint key of keys (made on
// the first run with audit.CreateKeyFiles, loaded with audit.LoadSigner afterwards) and
// returns the key's verifier text. notifier nil = notices kept in memory (plug in the SMS
// gateway); clock nil = time.Now.
func newService(ctx context.Context, db *sqlstore.DB, keys string, p *expertdb.Policy, users []audit.User,
	notifier expertdb.Notifier, clock func() time.Time) (*expertdb.Service, string, error) {
	signerPath, verifierPath := filepath.Join(keys, "checkpoint.key"), filepath.Join(keys, "checkpoint.pub")
	if _, err := os.Stat(signerPath); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(keys, 0o700); err != nil {
			return nil, "", err
		}
		if err := audit.CreateKeyFiles(signerPath, verifierPath, "wzkj.expertdb", rand.Reader); err != nil {
			return nil, "", err
		}
	}
	signer, err := audit.LoadSigner(signerPath)
	if err != nil {
		return nil, "", err
	}
	_, vkey, err := audit.LoadVerifier(verifierPath)
	if err != nil {
		return nil, "", err
	}
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Policy: p, Users: users, Experts: db.Experts(), Ratings: db.Ratings(), Ledger: db.Ledger(),
		Events: db.Events(), Audit: db.Audit(), Signer: signer, Notifier: notifier, Clock: clock,
	})
	if err != nil {
		return nil, "", err
	}
	return svc, vkey, nil
}
