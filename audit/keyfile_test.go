package audit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/audit"
)

func keyPaths(t *testing.T) (string, string) {
	dir := t.TempDir()
	return filepath.Join(dir, "log.key"), filepath.Join(dir, "log.pub")
}

func TestKeyFilesRoundTrip(t *testing.T) {
	ctx := context.Background()
	skey, vkey := keyPaths(t)
	require.NoError(t, audit.CreateKeyFiles(skey, vkey, "wzkj.expertdb", rand.Reader))

	info, err := os.Stat(skey)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the signer key is private")

	signer, err := audit.LoadSigner(skey)
	require.NoError(t, err)
	verifier, text, err := audit.LoadVerifier(vkey)
	require.NoError(t, err)
	assert.Equal(t, "wzkj.expertdb", signer.Name())
	assert.True(t, strings.HasPrefix(text, "wzkj.expertdb+"), "the verifier text names the key")

	// A checkpoint signed by a log opened with the loaded key verifies with the loaded verifier,
	// also after a "restart" that loads the key again.
	store := audit.NewMemoryStore()
	log, err := audit.NewLog(ctx, store, signer)
	require.NoError(t, err)
	_, err = log.Append(ctx, audit.Event{At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Actor: audit.Actor{ID: "u1", Name: "张三", Role: "city-admin", Unit: "市科技局"}, Action: audit.ActionView, Subjects: []string{"E001"}})
	require.NoError(t, err)
	signer2, err := audit.LoadSigner(skey)
	require.NoError(t, err)
	log2, err := audit.NewLog(ctx, store, signer2)
	require.NoError(t, err)
	cp, err := log2.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, store, cp, verifier))
}

func TestKeyFilesRefusals(t *testing.T) {
	write := func(t *testing.T, path, text string, mode os.FileMode) {
		require.NoError(t, os.WriteFile(path, []byte(text), mode))
		require.NoError(t, os.Chmod(path, mode))
	}
	tests := []struct {
		name string
		run  func(t *testing.T, skey, vkey string) error
	}{
		{"never overwrites an existing signer", func(t *testing.T, skey, vkey string) error {
			write(t, skey, "keep me", 0o600)
			return audit.CreateKeyFiles(skey, vkey, "n", rand.Reader)
		}},
		{"never overwrites an existing verifier", func(t *testing.T, skey, vkey string) error {
			write(t, vkey, "keep me", 0o644)
			return audit.CreateKeyFiles(skey, vkey, "n", rand.Reader)
		}},
		{"bad key name", func(t *testing.T, skey, vkey string) error {
			return audit.CreateKeyFiles(skey, vkey, "bad name+", rand.Reader)
		}},
		{"missing signer", func(t *testing.T, skey, vkey string) error {
			_, err := audit.LoadSigner(skey)
			return err
		}},
		{"signer readable by others", func(t *testing.T, skey, vkey string) error {
			require.NoError(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
			require.NoError(t, os.Chmod(skey, 0o644))
			_, err := audit.LoadSigner(skey)
			return err
		}},
		{"verifier given as signer", func(t *testing.T, skey, vkey string) error {
			require.NoError(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
			require.NoError(t, os.Chmod(vkey, 0o600))
			_, err := audit.LoadSigner(vkey)
			return err
		}},
		{"signer given as verifier", func(t *testing.T, skey, vkey string) error {
			require.NoError(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
			_, _, err := audit.LoadVerifier(skey)
			return err
		}},
		{"two lines", func(t *testing.T, skey, vkey string) error {
			require.NoError(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
			raw, _ := os.ReadFile(vkey)
			write(t, vkey, string(raw)+string(raw), 0o644)
			_, _, err := audit.LoadVerifier(vkey)
			return err
		}},
		{"huge file", func(t *testing.T, skey, vkey string) error {
			write(t, vkey, strings.Repeat("a", 1<<20), 0o644)
			_, _, err := audit.LoadVerifier(vkey)
			return err
		}},
		{"a directory", func(t *testing.T, skey, vkey string) error {
			require.NoError(t, os.Mkdir(vkey, 0o755))
			_, _, err := audit.LoadVerifier(vkey)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skey, vkey := keyPaths(t)
			err := tt.run(t, skey, vkey)
			require.Error(t, err)
			assert.True(t, errors.Is(err, audit.ErrKeyFile), "%v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "audit: "), "%v", err)
			if raw, rerr := os.ReadFile(skey); rerr == nil && bytes.HasPrefix(raw, []byte("PRIVATE+KEY")) {
				assert.NotContains(t, err.Error(), strings.TrimSpace(string(raw)), "the secret never appears in an error")
			}
		})
	}
}

func TestKeyFilesKeepExisting(t *testing.T) {
	skey, vkey := keyPaths(t)
	require.NoError(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
	before, _ := os.ReadFile(skey)
	require.Error(t, audit.CreateKeyFiles(skey, vkey, "n", rand.Reader))
	after, _ := os.ReadFile(skey)
	assert.Equal(t, before, after, "a second CreateKeyFiles leaves the first key intact")
}
