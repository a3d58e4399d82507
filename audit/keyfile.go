package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ErrKeyFile is the errors.Is target of every refusal of a checkpoint key file: missing,
// malformed, readable by others, or about to be overwritten.
var ErrKeyFile = errors.New("audit: checkpoint key file")

// maxKeyFile bounds what LoadSigner and LoadVerifier read: a note key is under 200 bytes.
const maxKeyFile = 4 << 10

// CreateKeyFiles makes a new Ed25519 checkpoint key named name (the log's origin line, e.g.
// "wzkj.expertdb") and writes its private signer key to signerPath (mode 0600) and its
// public verifier key to verifierPath (mode 0644), each as one line in the
// golang.org/x/mod/sumdb/note text form. It never overwrites: when either file exists it
// refuses with ErrKeyFile, because a lost signing key cannot be replaced silently — every
// checkpoint handed out before names it. rand is the key's entropy (crypto/rand.Reader in
// production).
//
// Keep the signer file where only the Service's process can read it; hand the verifier file
// to the discipline office and to anyone who checks checkpoints (Art. 17).
func CreateKeyFiles(signerPath, verifierPath, name string, rand io.Reader) error {
	for _, p := range []string{signerPath, verifierPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%w: %s exists; restore the key rather than make a new one", ErrKeyFile, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %w", ErrKeyFile, err)
		}
	}
	skey, vkey, err := note.GenerateKey(rand, name)
	if err != nil {
		return fmt.Errorf("%w: generate %q: %w", ErrKeyFile, name, err)
	}
	// note.GenerateKey accepts names that note.NewSigner later refuses (spaces, '+'): check
	// before anything is written.
	if _, err := note.NewSigner(skey); err != nil {
		return fmt.Errorf("%w: key name %q is not a valid note key name", ErrKeyFile, name)
	}
	if err := writeNew(signerPath, skey, 0o600); err != nil {
		return err
	}
	if err := writeNew(verifierPath, vkey, 0o644); err != nil {
		_ = os.Remove(signerPath) // a signer without its verifier would be refused next time
		return err
	}
	return nil
}

// writeNew writes one line to a file that must not exist yet (O_EXCL), syncing it.
func writeNew(path, line string, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFile, err)
	}
	_, werr := f.WriteString(line + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("%w: write %s: %w", ErrKeyFile, path, err)
	}
	return nil
}

// LoadSigner reads a signer key file written by CreateKeyFiles. It refuses a file that group
// or others may read or write (the key signs the audit history) and a file that is not one
// signer key.
func LoadSigner(path string) (note.Signer, error) {
	text, err := readKey(path, true)
	if err != nil {
		return nil, err
	}
	s, err := note.NewSigner(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a signer key", ErrKeyFile, path)
	}
	return s, nil
}

// LoadVerifier reads a verifier key file written by CreateKeyFiles. It returns the key's text
// too, for a printed draw record or a verification page.
func LoadVerifier(path string) (note.Verifier, string, error) {
	text, err := readKey(path, false)
	if err != nil {
		return nil, "", err
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s is not a verifier key", ErrKeyFile, path)
	}
	return v, text, nil
}

// readKey reads one bounded line; secret files must not be accessible to group or others.
// The file's content never appears in an error.
func readKey(path string, secret bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeyFile, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeyFile, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%w: %s is not a regular file", ErrKeyFile, path)
	}
	if secret && info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%w: %s has mode %v; make it 0600 (chmod 600)", ErrKeyFile, path, info.Mode().Perm())
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("%w: read %s: %w", ErrKeyFile, path, err)
	}
	if len(raw) > maxKeyFile {
		return "", fmt.Errorf("%w: %s is larger than a key", ErrKeyFile, path)
	}
	text := strings.TrimSpace(string(raw))
	if text == "" || strings.ContainsAny(text, "\r\n") {
		return "", fmt.Errorf("%w: %s must hold exactly one key line", ErrKeyFile, path)
	}
	return text, nil
}
