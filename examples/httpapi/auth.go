package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wzsti/expertdb/audit"
)

// ─────────────────────────────────────────────────────────────────────────────────────────
// AUTHENTICATION PLUG-IN POINT
//
// Authenticator resolves an HTTP request to the real-name user who makes it (实名制, Art. 18).
// Every handler calls it first; the Service then checks that user's permissions for the
// operation (deny by default) and records the operation under that actor.
//
// Replace DevHeaderAuthenticator by your government system's identity provider (an OIDC
// bearer token checked against the provider's keys, a client certificate of the 政务外网, a
// session of your single sign-on): implement Authenticate, map the identity to a registered
// user (Service.Users), and pass it to newServer.
// ─────────────────────────────────────────────────────────────────────────────────────────

// Authenticator resolves a request to the acting user.
type Authenticator interface {
	// Authenticate returns the actor of r, or an error (the request is answered 401).
	Authenticate(r *http.Request) (audit.Actor, error)
}

// errUnauthenticated is returned by an Authenticator that cannot identify the caller.
var errUnauthenticated = errors.New("httpapi: unauthenticated")

// DevHeaderAuthenticator — NOT FOR PRODUCTION. It believes the header X-Expertdb-User: the
// ID of a registered user, with no password, token or signature. Anyone who can reach the
// server can act as anyone, including the city administrator. It exists so that the
// example, its tests and curl sessions on a developer's machine run without an identity
// provider. The server prints a warning when it is used.
type DevHeaderAuthenticator struct {
	// Users returns the registered users (Service.Users).
	Users func() []audit.User
}

// devUserHeader is the header DevHeaderAuthenticator reads.
const devUserHeader = "X-Expertdb-User"

// Authenticate implements Authenticator: the registered user named by X-Expertdb-User.
func (a DevHeaderAuthenticator) Authenticate(r *http.Request) (audit.Actor, error) {
	id := strings.TrimSpace(r.Header.Get(devUserHeader))
	if id == "" {
		return audit.Actor{}, errUnauthenticated
	}
	for _, u := range a.Users() {
		if u.ID == id {
			return audit.Actor{ID: u.ID, Name: u.Name, Role: u.Role, Unit: u.Unit}, nil
		}
	}
	return audit.Actor{}, errUnauthenticated
}
