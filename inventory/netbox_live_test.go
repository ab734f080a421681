package inventory

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFetchNetBoxAuthorization checks the header each kind of token is
// sent in: NetBox 4.5 v2 tokens (nbt_) as Bearer, older ones as Token.
func TestFetchNetBoxAuthorization(t *testing.T) {
	for _, tc := range []struct{ token, want string }{
		{"nbt_abc123.secretsecret", "Bearer nbt_abc123.secretsecret"},
		{"0123456789abcdef0123456789abcdef01234567", "Token 0123456789abcdef0123456789abcdef01234567"},
	} {
		t.Run(tc.want[:strings.Index(tc.want, " ")], func(t *testing.T) {
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = append(got, r.Header.Get("Authorization"))
				json.NewEncoder(w).Encode(map[string]any{"count": 0, "next": nil, "previous": nil, "results": []any{}})
			}))
			defer srv.Close()
			if _, err := FetchNetBox(context.Background(), srv.Client(), srv.URL, tc.token); err != nil {
				t.Fatalf("FetchNetBox: %v", err)
			}
			if len(got) != len(NetBoxEndpoints()) {
				t.Fatalf("%d requests; want one an endpoint (%d)", len(got), len(NetBoxEndpoints()))
			}
			for _, h := range got {
				if h != tc.want {
					t.Fatalf("Authorization = %q; want %q", h, tc.want)
				}
			}
		})
	}
}

// TestFetchNetBoxRefuses checks that an empty token is refused before any
// request, and that a next link on another scheme (http behind a TLS
// proxy) or host is not followed, so the token is never sent there.
func TestFetchNetBoxRefuses(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := "http://" + strings.TrimPrefix(srv.URL, "https://") + r.URL.Path + "?offset=1"
		json.NewEncoder(w).Encode(map[string]any{"count": 2, "next": next, "previous": nil, "results": []any{map[string]any{"id": 1}}})
	}))
	defer srv.Close()
	_, err := FetchNetBox(context.Background(), srv.Client(), srv.URL, "secret-token")
	if err == nil || !strings.Contains(err.Error(), "the token is sent nowhere else") || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("FetchNetBox with an http next link: error = %v; want a refusal that does not show the token", err)
	}
	_, err = FetchNetBox(context.Background(), srv.Client(), srv.URL, "")
	if err == nil || !strings.Contains(err.Error(), "no NetBox API token given") {
		t.Errorf("FetchNetBox without a token: error = %v; want it refused", err)
	}
	// A transport error does not show the token.
	_, err = FetchNetBox(context.Background(), http.DefaultClient, "http://127.0.0.1:1", "tok-xyz")
	if err == nil || strings.Contains(err.Error(), "tok-xyz") || strings.Contains(err.Error(), "***G***") {
		t.Errorf("FetchNetBox of a closed port: error = %v; want a plain message without the token", err)
	}
}
