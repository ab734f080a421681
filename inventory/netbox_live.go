package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxNetBoxPages bounds the pages FetchNetBox follows per endpoint.
const MaxNetBoxPages = 10000

// FetchNetBox reads every endpoint the importer uses from a live NetBox at
// base (such as https://netbox.example.com), following next through every
// page, and returns one File per endpoint holding every page's results,
// named by the endpoint's URL. The token must not be empty; it is sent as
// "Authorization: Bearer nbt_..." when it is a NetBox 4.5 v2 token (prefix
// nbt_), else as "Authorization: Token ...", and appears in no name, error
// or message. A next link is followed only on the scheme and host of base,
// so that the token never goes to another host or over plain HTTP when
// base is HTTPS. An endpoint NetBox answers 404 for (a version without it)
// is skipped.
func FetchNetBox(ctx context.Context, client *http.Client, base, token string) ([]File, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: want the NetBox address, such as https://netbox.example.com", base)
	}
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("no NetBox API token given: create one that may read dcim (NetBox: Admin → API Tokens)")
	}
	var files []File
	for _, ep := range NetBoxEndpoints() {
		first := u.String() + netboxPath(ep)
		next := first + "?limit=1000"
		var results []json.RawMessage
		found := true
		for page := 0; next != ""; page++ {
			if page >= MaxNetBoxPages {
				return nil, fmt.Errorf("%s: more than %d pages; is next looping?", netboxPath(ep), MaxNetBoxPages)
			}
			data, status, err := netboxGet(ctx, client, next, token)
			if err != nil {
				return nil, err
			}
			if status == http.StatusNotFound && page == 0 {
				found = false
				break
			}
			if status != http.StatusOK {
				hint := ""
				if status == http.StatusUnauthorized || status == http.StatusForbidden {
					hint = "; set NETBOX_TOKEN to a token that may read dcim"
				}
				return nil, fmt.Errorf("GET %s: %s%s", redact(next), http.StatusText(status), hint)
			}
			name := redact(next)
			var list struct {
				Next    *string           `json:"next"`
				Results []json.RawMessage `json:"results"`
			}
			if err := json.Unmarshal(data, &list); err != nil {
				return nil, fmt.Errorf("GET %s: not a NetBox list response: %v", name, err)
			}
			results = append(results, list.Results...)
			n := ""
			if list.Next != nil {
				n = *list.Next
			}
			if n != "" {
				nu, err := u.Parse(n)
				if err != nil || nu.Host != u.Host || nu.Scheme != u.Scheme {
					return nil, fmt.Errorf("GET %s: next %q is not on %s://%s; the token is sent nowhere else (behind a TLS proxy, set NetBox's BASE_PATH and the proxy's X-Forwarded-Proto so that next links use https)",
						name, redact(n), u.Scheme, u.Host)
				}
				n = nu.String()
			}
			next = n
		}
		if !found {
			continue
		}
		if results == nil {
			results = []json.RawMessage{}
		}
		data, err := json.MarshalIndent(map[string]any{"count": len(results), "next": nil, "previous": nil, "results": results}, "", "  ")
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: redact(first), Data: data})
	}
	return files, nil
}

func netboxGet(ctx context.Context, client *http.Client, u, token string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: %v", redact(u), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", netboxAuthorization(token))
	resp, err := client.Do(req)
	if err != nil {
		msg := err.Error()
		if token != "" {
			msg = strings.ReplaceAll(msg, token, "***")
		}
		return nil, 0, fmt.Errorf("GET %s: %s", redact(u), msg)
	}
	defer resp.Body.Close()
	data, err := readLimited(resp.Body, redact(u))
	return data, resp.StatusCode, err
}

// netboxAuthorization is the Authorization header for token: NetBox 4.5
// v2 tokens (nbt_<key>.<secret>) go as Bearer, older ones as Token.
func netboxAuthorization(token string) string {
	if strings.HasPrefix(token, "nbt_") {
		return "Bearer " + token
	}
	return "Token " + token
}

// redact drops user info from u for messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the NetBox URL"
	}
	p.User = nil
	return p.String()
}
