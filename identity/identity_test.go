package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef-test-secret")
	now    = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
)

func verifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	v.Now = func() time.Time { return now }
	return v
}

// rawToken signs header and payload with HMAC-SHA256 under key, as an
// attacker with or without the secret would build a token by hand.
func rawToken(header, payload map[string]any, key []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	unsigned := enc(header) + "." + enc(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestVerifyAcceptsTheShopsToken(t *testing.T) {
	v := verifier(t)
	tok, err := v.Sign(Customer{ID: "cust-1001", Name: "Léa Martin", Email: "lea@example.fr", Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "cust-1001" || c.Name != "Léa Martin" || c.Email != "lea@example.fr" || !c.Expires.Equal(now.Add(time.Hour)) {
		t.Errorf("Verify = %+v", c)
	}
	// A token written by hand the same way is accepted too: the format is
	// plain JWT, which any shop's language can sign.
	hand := rawToken(map[string]any{"alg": "HS256", "typ": "JWT"}, map[string]any{"sub": "cust-7", "exp": now.Add(time.Minute).Unix()}, secret)
	if c, err := v.Verify(hand); err != nil || c.ID != "cust-7" {
		t.Errorf("hand-made token: %+v, %v", c, err)
	}
}

// TestVerifyRefusesAttacks tries the ways of passing as another customer.
func TestVerifyRefusesAttacks(t *testing.T) {
	v := verifier(t)
	valid, _ := v.Sign(Customer{ID: "cust-1001", Expires: now.Add(time.Hour)})
	parts := strings.Split(valid, ".")
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	hs := map[string]any{"alg": "HS256", "typ": "JWT"}
	claims := func(sub string, exp time.Time) map[string]any {
		return map[string]any{"sub": sub, "exp": exp.Unix()}
	}
	cases := map[string]string{
		"empty":           "",
		"garbage":         "not.a.token",
		"two parts":       parts[0] + "." + parts[1],
		"other secret":    rawToken(hs, claims("cust-1002", now.Add(time.Hour)), []byte("another-secret-of-enough-length-0123456789")),
		"expired":         rawToken(hs, claims("cust-1001", now.Add(-time.Hour)), secret),
		"no expiry":       rawToken(hs, map[string]any{"sub": "cust-1001"}, secret),
		"no subject":      rawToken(hs, map[string]any{"exp": now.Add(time.Hour).Unix()}, secret),
		"not yet valid":   rawToken(hs, map[string]any{"sub": "cust-1001", "exp": now.Add(2 * time.Hour).Unix(), "nbf": now.Add(time.Hour).Unix()}, secret),
		"alg none":        enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." + enc(claims("cust-1002", now.Add(time.Hour))) + ".",
		"alg None":        enc(map[string]any{"alg": "None"}) + "." + enc(claims("cust-1002", now.Add(time.Hour))) + ".",
		"alg HS512":       rawToken(map[string]any{"alg": "HS512"}, claims("cust-1002", now.Add(time.Hour)), secret),
		"alg RS256":       rawToken(map[string]any{"alg": "RS256"}, claims("cust-1002", now.Add(time.Hour)), secret),
		"tampered sub":    parts[0] + "." + enc(claims("cust-1002", now.Add(time.Hour))) + "." + parts[2],
		"tampered exp":    parts[0] + "." + enc(claims("cust-1001", now.Add(100*time.Hour))) + "." + parts[2],
		"signature cut":   parts[0] + "." + parts[1] + ".",
		"signature other": parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"too long":        valid + strings.Repeat("A", MaxTokenLength),
		"sub not string":  rawToken(hs, map[string]any{"sub": 1002, "exp": now.Add(time.Hour).Unix()}, secret),
		"sub too long":    rawToken(hs, claims(strings.Repeat("x", 300), now.Add(time.Hour)), secret),
		// A token that vouches for years, properly signed, is refused.
		"exp in ten years":   rawToken(hs, claims("cust-1001", now.AddDate(10, 0, 0)), secret),
		"exp in 25 hours":    rawToken(hs, claims("cust-1001", now.Add(25*time.Hour)), secret),
		"exp as text":        rawToken(hs, map[string]any{"sub": "cust-1001", "exp": fmt.Sprint(now.Add(time.Hour).Unix())}, secret),
		"exp as huge number": rawToken(hs, map[string]any{"sub": "cust-1001", "exp": 1e300}, secret),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := v.Verify(tok)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", c, err)
			}
			if c != (Customer{}) {
				t.Errorf("a refused token still gave %+v", c)
			}
		})
	}
}

// TestMaxLifetime: a shop may allow longer tokens, up to what it sets.
func TestMaxLifetime(t *testing.T) {
	v := verifier(t)
	v.MaxLifetime = 7 * 24 * time.Hour
	tok, _ := v.Sign(Customer{ID: "cust-1001", Expires: now.Add(6 * 24 * time.Hour)})
	if _, err := v.Verify(tok); err != nil {
		t.Errorf("a six-day token with a seven-day maximum: %v", err)
	}
	tok, _ = v.Sign(Customer{ID: "cust-1001", Expires: now.Add(8 * 24 * time.Hour)})
	if _, err := v.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("an eight-day token with a seven-day maximum: %v", err)
	}
}

func TestLeewayToleratesClockSkew(t *testing.T) {
	v := verifier(t)
	tok := rawToken(map[string]any{"alg": "HS256"}, map[string]any{"sub": "c", "exp": now.Add(-10 * time.Second).Unix()}, secret)
	if _, err := v.Verify(tok); err != nil {
		t.Errorf("10 s past expiry with 30 s leeway: %v", err)
	}
	v.Leeway = 0
	if _, err := v.Verify(tok); err == nil {
		t.Error("without leeway an expired token passed")
	}
}

func TestNewVerifierRefusesShortSecrets(t *testing.T) {
	if _, err := NewVerifier([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func FuzzVerify(f *testing.F) {
	v, _ := NewVerifier(secret)
	good, _ := v.Sign(Customer{ID: "cust-1", Expires: time.Now().Add(time.Hour)})
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(tok)
		if err == nil && tok != good && c.ID == "" {
			t.Errorf("accepted %q without a customer id", tok)
		}
	})
}
