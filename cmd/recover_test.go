package cmd

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
)

func TestRecoverFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(o *RecoverOptions) bool
	}{
		{"defaults", []string{"-f", "a.yaml", "--fail", "pangyo"}, "", func(o *RecoverOptions) bool {
			return o.Format == "text" && o.DefaultRestart == 15*time.Minute && o.Top == 0 && o.Fail[0] == "pangyo" && o.Files[0] == "a.yaml"
		}},
		{"everything", []string{"-f", "a.yaml", "--fail", "a,b", "--fail", "kind=rack", "--format", "json", "--default-restart", "1h30m", "--top", "5"}, "",
			func(o *RecoverOptions) bool {
				return o.Format == "json" && o.DefaultRestart == 90*time.Minute && o.Top == 5 && strings.Join(o.Fail, "|") == "a,b|kind=rack"
			}},
		{"no fail", []string{"-f", "a.yaml"}, "nothing to fail", nil},
		{"bad format", []string{"-f", "a.yaml", "--fail", "x", "--format", "xml"}, `--format "xml"`, nil},
		{"zero restart", []string{"-f", "a.yaml", "--fail", "x", "--default-restart", "0s"}, "--default-restart", nil},
		{"bad restart", []string{"-f", "a.yaml", "--fail", "x", "--default-restart", "soon"}, "invalid argument", nil},
		{"negative top", []string{"-f", "a.yaml", "--fail", "x", "--top", "-1"}, "--top", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(t, NewCmdRecover, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("recover %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(got) {
				t.Errorf("recover %v: options = %+v, error %v", tc.args, got, err)
			}
		})
	}
}

// TestRecoverGolden checks the text and JSON output of blast recover.
func TestRecoverGolden(t *testing.T) {
	kakao := []string{"recover", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo"}
	for _, tc := range []struct {
		golden string
		args   []string
		code   int
	}{
		{"recover-kakao-pangyo.txt", kakao, 0},
		{"recover-kakao-pangyo.json", append(kakao, "--format", "json"), 0},
		{"recover-kakao-top3.txt", append(kakao, "--top", "3", "--default-restart", "2h"), 0},
		{"recover-naver-pangyo.txt", []string{"recover", "-f", "../examples/naver-2022.yaml", "--fail", "site=pangyo"}, 0},
		{"recover-deadlock.txt", []string{"recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "dc-1"}, 0},
		{"recover-deadlock.json", []string{"recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "dc-1", "--format", "json"}, 0},
		{"recover-nothing.txt", []string{"recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "find"}, 0},
		{"recover-no-feature.txt", []string{"recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "ops"}, 0},
		{"recover-unknown.txt", []string{"recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "dc-3"}, 2},
		{"recover-bad.txt", []string{"recover", "-f", "testdata/bad.yaml", "--fail", "x"}, 2},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("blast %v exit = %d; want %d (stderr: %s)", tc.args, code, tc.code, stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Fatalf("blast %v panicked: %s", tc.args, stderr)
			}
			golden.Check(t, tc.golden, []byte(stdout+"--- stderr\n"+stderr))
		})
	}
}

// TestRecoverJSON reads the Kakao plan back: ops-tools in wave 0,
// KakaoTalk messaging back before Kakao Channel and Daum Mail, and names
// escaped but intact in the deadlock example.
func TestRecoverJSON(t *testing.T) {
	stdout, _, code := run(t, "", "recover", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep out.RecoveryReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	back := map[string]float64{}
	for _, f := range rep.Features {
		back[f.ID] = *f.BackMinutes
	}
	if !(back["talk-send"] < back["channel-chat"] && back["talk-send"] < back["daum-mail"]) {
		t.Errorf("talk-send back at %vm, channel-chat %vm, daum-mail %vm; want talk-send first", back["talk-send"], back["channel-chat"], back["daum-mail"])
	}
	if w0 := strings.Join(rep.Waves[0].Services, ","); !strings.Contains(w0, "ops-tools") || !strings.Contains(w0, "monitoring") || !strings.Contains(w0, "auth") {
		t.Errorf("wave 0 = %s; want ops-tools, monitoring and auth in it", w0)
	}
	if rep.TotalMinutes == nil || *rep.TotalMinutes != 117.5*60 {
		t.Errorf("total = %v; want 7050 minutes (117h30m)", rep.TotalMinutes)
	}

	stdout, _, _ = run(t, "", "recover", "-f", "testdata/recover-deadlock.yaml", "--fail", "dc-1", "--format", "json")
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Deadlocks) != 1 || strings.Join(rep.Deadlocks[0].Cycle, ",") != "auth,config" || rep.TotalMinutes != nil {
		t.Errorf("deadlocks = %+v, total %v; want auth,config and no total", rep.Deadlocks, rep.TotalMinutes)
	}
	for _, s := range rep.Services {
		if s.ID == "auth" && s.Name != "인증 \"auth\" <login>\nsecond line" {
			t.Errorf("auth name = %q; want it intact", s.Name)
		}
	}
}

// TestRecoverShuffled shuffles every list of both example inventories and
// expects byte-identical recover output.
func TestRecoverShuffled(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			render := func(inv *inventory.Inventory) string {
				m, err := graph.Build(inv)
				if err != nil {
					t.Fatal(err)
				}
				failed, err := m.SelectAll([]string{"pangyo"})
				if err != nil {
					t.Fatal(err)
				}
				rep := out.NewRecoveryReport(name, graph.DefaultRestart, m.Recover(failed, 0))
				var b bytes.Buffer
				if err := out.WriteRecoveryText(&b, rep, out.RecoveryTextOptions{}); err != nil {
					t.Fatal(err)
				}
				if err := out.WriteJSON(&b, rep); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			load := func() *inventory.Inventory {
				f, err := examples.File(name)
				if err != nil {
					t.Fatal(err)
				}
				inv, _, err := inventory.LoadFiles([]inventory.File{f})
				if err != nil {
					t.Fatal(err)
				}
				return inv
			}
			want := render(load())
			for seed := uint64(1); seed <= 10; seed++ {
				inv := load()
				shuffle(rand.New(rand.NewPCG(seed, seed*7)), inv)
				if got := render(inv); got != want {
					t.Fatalf("seed %d: output differs after shuffling the inventory", seed)
				}
			}
		})
	}
}
