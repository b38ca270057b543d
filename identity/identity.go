// Package identity verifies who a customer is. The shop's own site, where
// the customer is logged in, signs a short-lived token (a JWT signed with
// HMAC-SHA256, "HS256") with a secret it shares with supportd; the chat
// widget hands the token over, and supportd trusts the customer id in it
// only once the signature, the algorithm and the expiry are checked.
//
// A token's claims:
//
//	sub    the customer's id in the shop (required)
//	name   the customer's name, shown to agents (optional)
//	email  the customer's email address (optional)
//	exp    expiry, seconds since 1970 (required)
//	iat    when it was signed (optional)
//
// Package identity imports no other package of supportd.
package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLength is the shortest secret accepted, in bytes: HS256 is only
// as strong as a secret of at least its hash's size.
const MinSecretLength = 32

// MaxTokenLength bounds the tokens read, in bytes; a shop's token is a few
// hundred.
const MaxTokenLength = 4096

// ErrInvalidToken is returned for any token that cannot be trusted:
// malformed, signed with another secret or algorithm, expired, or lacking
// a claim. The cause is wrapped for logs; the customer is told only that
// they are not logged in.
var ErrInvalidToken = errors.New("identity: invalid customer token")

// Customer is a customer whose identity the shop vouched for.
type Customer struct {
	ID    string
	Name  string
	Email string
	// Expires is when the token stops vouching for them.
	Expires time.Time
}

// claims are a token's claims as this package reads and writes them.
type claims struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// Verifier checks the shop's tokens. It is safe for concurrent use.
type Verifier struct {
	secret []byte
	// Leeway tolerates clocks that differ between the shop and supportd
	// when checking expiry. Zero means none.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// MaxLifetime is how far ahead a token's expiry may be: a token that
	// vouches for longer is refused, so that a leaked token cannot serve
	// for years. Default [DefaultMaxLifetime].
	MaxLifetime time.Duration
}

// DefaultMaxLifetime is the default of [Verifier.MaxLifetime].
const DefaultMaxLifetime = 24 * time.Hour

// NewVerifier returns a Verifier of tokens signed with secret, or an error
// if the secret is shorter than [MinSecretLength].
func NewVerifier(secret []byte) (*Verifier, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("identity: the customer token secret must be at least %d bytes, it is %d", MinSecretLength, len(secret))
	}
	return &Verifier{secret: append([]byte(nil), secret...), Leeway: 30 * time.Second}, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// Verify returns the customer a token vouches for, or an error wrapping
// [ErrInvalidToken]. Only HS256 is accepted: "none", RS256 and every other
// algorithm are refused whatever the token's header says.
func (v *Verifier) Verify(token string) (Customer, error) {
	if token == "" || len(token) > MaxTokenLength {
		return Customer{}, fmt.Errorf("%w: empty or longer than %d bytes", ErrInvalidToken, MaxTokenLength)
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(v.Leeway),
		jwt.WithTimeFunc(v.now),
	)
	if err != nil {
		return Customer{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if !numericExp(token) {
		return Customer{}, fmt.Errorf("%w: exp is not a number of seconds", ErrInvalidToken)
	}
	maxLife := v.MaxLifetime
	if maxLife <= 0 {
		maxLife = DefaultMaxLifetime
	}
	if c.ExpiresAt.Time.After(v.now().Add(maxLife + v.Leeway)) {
		return Customer{}, fmt.Errorf("%w: expires more than %s ahead", ErrInvalidToken, maxLife)
	}
	if c.Subject == "" || len(c.Subject) > 200 || !utf8.ValidString(c.Subject) {
		return Customer{}, fmt.Errorf("%w: the subject (customer id) is missing or not valid", ErrInvalidToken)
	}
	if len(c.Name) > 200 || len(c.Email) > 320 || !utf8.ValidString(c.Name) || !utf8.ValidString(c.Email) {
		return Customer{}, fmt.Errorf("%w: name or email not valid", ErrInvalidToken)
	}
	return Customer{ID: c.Subject, Name: c.Name, Email: c.Email, Expires: c.ExpiresAt.Time}, nil
}

// numericExp reports whether the exp claim of a token whose signature was
// checked is a JSON number, as RFC 7519 wants, and not a text that looks
// like one ("9999999999"), which the JWT library would accept.
func numericExp(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return false
	}
	exp := bytes.TrimSpace(fields["exp"])
	return len(exp) > 0 && exp[0] >= '0' && exp[0] <= '9'
}

// Sign returns a token vouching for c until c.Expires, signed the way the
// shop signs them. supportd itself signs only for its demo shop page and
// its tests; a real shop signs on its own server.
func (v *Verifier) Sign(c Customer) (string, error) {
	if c.ID == "" || c.Expires.IsZero() {
		return "", errors.New("identity: a token needs a customer id and an expiry")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Name:  c.Name,
		Email: c.Email,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.ID,
			ExpiresAt: jwt.NewNumericDate(c.Expires),
			IssuedAt:  jwt.NewNumericDate(v.now()),
		},
	})
	return t.SignedString(v.secret)
}
