package cmd

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

// refusingTransport fails and counts every request.
type refusingTransport struct{ calls atomic.Int32 }

func (r *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	r.calls.Add(1)
	return nil, errors.New("network refused by the test")
}

// TestNoNetwork runs every command with the default HTTP transport
// replaced by one that refuses and counts requests: none may talk to a
// network but import netbox --url, which the last row shows is caught.
// (Only inventory/netbox_live.go imports net/http; SECURITY.md records
// the audit.)
func TestNoNetwork(t *testing.T) {
	rt := &refusingTransport{}
	saved := http.DefaultTransport
	http.DefaultTransport = rt
	defer func() { http.DefaultTransport = saved }()
	ex, imp := "../examples/kakao-2022.yaml", "../examples/import/"
	for _, tc := range []struct {
		name  string
		args  []string
		calls int32
	}{
		{"demo", []string{"demo"}, 0},
		{"simulate", []string{"simulate", "-f", ex, "--fail", "pangyo"}, 0},
		{"audit", []string{"audit", "-f", ex}, 0},
		{"check", []string{"check", "-f", ex, "--format", "sarif"}, 0},
		{"diff", []string{"diff", ex, "../examples/naver-2022.yaml"}, 0},
		{"gen", []string{"gen"}, 0},
		{"cuts", []string{"cuts", "-f", ex, "--feature", "talk-send"}, 0},
		{"availability", []string{"availability", "-f", ex, "--default-unavailability", "0.001"}, 0},
		{"export openpsa", []string{"export", "openpsa", "-f", ex}, 0},
		{"import netbox files", []string{"import", "netbox", imp + "netbox/v4"}, 0},
		{"import kubernetes", []string{"import", "kubernetes", imp + "kubernetes"}, 0},
		{"import backstage", []string{"import", "backstage", imp + "backstage"}, 0},
		{"import traces", []string{"import", "traces", imp + "traces"}, 0},
		{"diagram", []string{"diagram", "-f", ex, "--format", "dot"}, 0},
		{"validate", []string{"validate", "-f", ex}, 0},
		{"schema", []string{"schema"}, 0},
		{"import netbox --url (live mode)", []string{"import", "netbox", "--url", "http://netbox.invalid"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(NetBoxTokenEnv, "t")
			before := rt.calls.Load()
			_, stderr, code := run(t, "", tc.args...)
			if tc.calls == 0 && code == ExitInput {
				t.Fatalf("blast %v: exit %d: %s", tc.args, code, stderr)
			}
			if got := rt.calls.Load() - before; (got > 0) != (tc.calls > 0) {
				t.Errorf("blast %v made %d HTTP requests; want %d", tc.args, got, tc.calls)
			}
		})
	}
}
