package inventory

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

func TestImportKubernetes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string
		zones []string
		whole bool
	}{
		{"kubernetes-nodes", []string{"../examples/import/kubernetes"}, nil, true},
		{"kubernetes-zones", []string{"../examples/import/kubernetes-zones"}, nil, true},
		{"kubernetes-sched", []string{"testdata/import/kubernetes-sched"}, nil, false},
		{"kubernetes-spread", []string{"testdata/import/kubernetes-spread"}, nil, false},
		{"kubernetes-spread-zones", []string{"testdata/import/kubernetes-spread"}, []string{"zone-2", "zone-1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportKubernetesWith(readDir(t, tc.paths...), KubernetesOptions{Zones: tc.zones})
			if err != nil {
				t.Fatal(err)
			}
			importGolden(t, "import/"+tc.name, imp, tc.whole)
		})
	}
}

func TestServiceNames(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"cartservice:7070", "shop/cartservice"},
		{"http://payments.default.svc.cluster.local", "default/payments"},
		{"http://paymentservice.payments.svc.cluster.local:50051/v1", "payments/paymentservice"},
		{"postgres://api@db.default.svc:5432/api", "default/db"},
		{"redis.cache:6379", "cache/redis"},
		{"a:1,b:2", "shop/a shop/b"},
		{"info", ""},
		{"true", ""},
		{"0", ""},
		{"smtp.mail.example.com:25", ""},
		{"Cart:7070", "shop/cart"},
		{"HTTP://Payments.Default.SVC.Cluster.Local/v1", "default/payments"},
		{"redis://:pw@st:6379/0", "shop/st"},
	} {
		if got := strings.Join(serviceNames(tc.value, "shop"), " "); got != tc.want {
			t.Errorf("serviceNames(%q) = %q; want %q", tc.value, got, tc.want)
		}
	}
}

func TestImportKubernetesBad(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"unknown apiVersion", "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: a}\n", "x.yaml:1:13: unsupported apiVersion \"apps/v1beta2\" for Deployment"},
		{"truncated", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n", "x.yaml:4:1: syntax error"},
		{"not an object", "- a\n- b\n", "x.yaml:1:1: want a Kubernetes object, got a list"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "x.yaml:1:1: not a Kubernetes object"},
		{"no name", "apiVersion: v1\nkind: Service\nmetadata: {}\n", "x.yaml:1:1: Service has no metadata.name"},
		{"bad pdb", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [z]}]}]}}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\nspec:\n  minAvailable: lots\n  selector: {matchLabels: {app: a}}\n",
			"x.yaml:15:17: PodDisruptionBudget default/a: \"lots\" is not a number or percentage"},
		{"duplicate", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n", "x.yaml:5:1: Service default/a appears twice (first at x.yaml:1:1)"},
		{"duplicate in another order", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n", "x.yaml:9:1: Service default/a appears twice (first at x.yaml:1:1)"},
		{"apps/v1beta1", "apiVersion: apps/v1beta1\nkind: StatefulSet\nmetadata: {name: a}\n", "x.yaml:1:13: unsupported apiVersion \"apps/v1beta1\" for StatefulSet; write apiVersion: apps/v1"},
		{"selector selects no pod of its own", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: b}}\n  template:\n    metadata: {labels: {app: a}}\n", "x.yaml:5:13: Deployment default/a: spec.selector does not select the pod template's labels"},
		{"no selector", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec:\n  replicas: 1\n", "x.yaml:5:3: StatefulSet default/a has no spec.selector (required in apps/v1)"},
		{"bad replicas", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: three\n  selector: {matchLabels: {app: a}}\n  template: {metadata: {labels: {app: a}}}\n", "x.yaml:5:13: Deployment default/a: replicas \"three\" is not a whole number"},
		{"bad maxSkew", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      topologySpreadConstraints: [{maxSkew: 0, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}]\n", "x.yaml:9:45: Deployment default/a: maxSkew must be a whole number of 1 or more"},
		{"bad whenUnsatisfiable", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: Never}]\n", "unknown whenUnsatisfiable \"Never\""},
		{"bad affinity operator", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Equals, values: [v]}]}]}}}\n", "Deployment default/a: unknown operator \"Equals\"; the operators here are In, NotIn, Exists, DoesNotExist, Gt or Lt"},
		{"bad pdb selector", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 1\n  selector: {matchExpressions: [{key: app, operator: Gt, values: [\"1\"]}]}\n", "x.yaml:6:54: PodDisruptionBudget default/p: unknown operator \"Gt\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportKubernetes([]File{{Name: "x.yaml", Data: []byte(tc.data)}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ImportKubernetes error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestK8sQuantity checks the PodDisruptionBudget arithmetic against the
// disruption controller's: percentages of unavailable pods round up.
func TestK8sQuantity(t *testing.T) {
	for _, tc := range []struct {
		value string
		total int
		max   bool
		want  string // "" for no quorum
	}{
		{"50%", 3, true, "1"},
		{"50%", 6, true, "3"},
		{"33%", 3, true, "2"},
		{"10%", 10, true, "9"},
		{"100%", 4, true, ""},
		{"1", 3, true, "2"},
		{"3", 3, true, ""},
		{"50%", 3, false, "50%"},
		{"0%", 3, false, ""},
		{"2", 3, false, "2"},
		{"7", 5, false, "5"},
		{"0", 5, false, ""},
	} {
		var diags Diagnostics
		o := &k8sObject{kind: "PodDisruptionBudget", ns: "ns", name: "p", src: &source{file: "x.yaml", diags: &diags}}
		r := newReport("kubernetes")
		q := k8sQuantity(o, strNode(tc.value), tc.total, tc.max, r)
		got := ""
		if q != nil {
			got = q.String()
		}
		if got != tc.want || len(diags) > 0 {
			t.Errorf("k8sQuantity(%q of %d, max %v) = %q (%v); want %q", tc.value, tc.total, tc.max, got, diags, tc.want)
		}
		if clamped := len(r.Notes) > 0; clamped != (tc.value == "7") {
			t.Errorf("k8sQuantity(%q of %d): notes %q", tc.value, tc.total, r.Notes)
		}
	}
}

// TestK8sRedact checks that credentials in values never reach a report.
func TestK8sRedact(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"REDIS_URL", "redis://:pw@st:6379/0", "redis://:***@st:6379/0"},
		{"DATABASE_URL", "postgres://api:s3cret@db.default.svc:5432/api", "postgres://api:***@db.default.svc:5432/api"},
		{"DATABASE_URL", "postgres://api@db.default.svc:5432/api", "postgres://api@db.default.svc:5432/api"},
		{"UPSTREAMS", "a:1,http://u:p@b:2", "a:1,http://u:***@b:2"},
		{"CACHE", "admin:hunter2@cache:11211", "admin:***@cache:11211"},
		{"PAYMENT_SERVICE_ADDR", "http://paymentservice.payments.svc.cluster.local:50051", "http://paymentservice.payments.svc.cluster.local:50051"},
		{"DB_PASSWORD", "s3cret", "***"},
		{"GITHUB_TOKEN", "ghp_x", "***"},
		{"client_secret", "x", "***"},
		{"API_KEY", "x", "***"},
		{"AWS_SECRET_ACCESS_KEY", "x", "***"},
		{"MONKEY_ADDR", "monkey:80", "monkey:80"},
	} {
		if got := k8sRedact(tc.name, tc.value); got != tc.want {
			t.Errorf("k8sRedact(%q, %q) = %q; want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

// TestImportKubernetesShuffled checks that the order of files, of the
// documents in a file and of the items of a List does not change a byte of
// the inventory or the report.
func TestImportKubernetesShuffled(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		zones []string
	}{
		{[]string{"../examples/import/kubernetes"}, nil},
		{[]string{"../examples/import/kubernetes-zones"}, nil},
		{[]string{"testdata/import/kubernetes-sched"}, nil},
		{[]string{"testdata/import/kubernetes-spread"}, []string{"zone-1", "zone-2"}},
	} {
		imp := func(files []File) (*Import, error) {
			return ImportKubernetesWith(files, KubernetesOptions{Zones: tc.zones})
		}
		files := readDir(t, tc.paths...)
		want := encodeImport(t, imp, files)
		for seed := uint64(1); seed <= 10; seed++ {
			rng := rand.New(rand.NewPCG(seed, 7))
			shuffled := make([]File, len(files))
			for i, f := range files {
				shuffled[i] = File{Name: f.Name, Data: shuffleDocuments(t, f.Data, rng)}
			}
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := encodeImport(t, imp, shuffled); !bytes.Equal(got, want) {
				t.Errorf("%v seed %d: shuffled input gives different output:\n%s\nwant\n%s", tc.paths, seed, got, want)
			}
		}
	}
}

// shuffleDocuments reorders the documents of a YAML stream and the items
// of each List in it.
func shuffleDocuments(t *testing.T, data []byte, rng *rand.Rand) []byte {
	t.Helper()
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if it := get(n.Content[0], "items"); it != nil {
			rng.Shuffle(len(it.Content), func(i, j int) { it.Content[i], it.Content[j] = it.Content[j], it.Content[i] })
		}
		docs = append(docs, &n)
	}
	rng.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	enc.Close()
	return b.Bytes()
}
