package inventory

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Annotations the Backstage importer reads on Systems and Components.
const (
	// AnnotationFeature set to "true" makes the entity a user feature.
	AnnotationFeature = "blast.dev/feature"
	// AnnotationUsers gives the feature's users, a whole number.
	AnnotationUsers = "blast.dev/users"
	// AnnotationTier gives the feature's tier, 1 the most critical.
	AnnotationTier = "blast.dev/tier"
	// annotationK8sID is Backstage's own link from an entity to its
	// Kubernetes workloads, kept as a label so merges can join on it.
	annotationK8sID = "backstage.io/kubernetes-id"
)

var backstageKinds = []string{"Component", "Resource", "System", "API"}

type bsEntity struct {
	kind, ns, name string
	node           *yaml.Node
	src            *source
	id             string
}

// ref is the entity's full reference, such as component:default/payments.
func (e *bsEntity) ref() string { return strings.ToLower(e.kind) + ":" + e.ns + "/" + e.name }

// key is the entity's reference as Backstage compares it: kind, namespace
// and name are all case-insensitive.
func (e *bsEntity) key() string { return strings.ToLower(e.ref()) }

// ImportBackstage builds services and features from Backstage catalog
// files (catalog-info.yaml, one or more documents each, apiVersion
// backstage.io/v1alpha1 or v1beta1). Components and Resources become
// services (id: the name, or namespace/name outside the default
// namespace); spec.dependsOn becomes hard dependencies (and so does
// spec.dependencyOf, read from the other end), spec.consumesApis a
// dependency on the components providing the API (anyOf when several do).
// The entity's system, owner, type and lifecycle are kept as labels.
// Systems and Components annotated blast.dev/feature: "true" become
// features (id feature/NAME) with users and tier from blast.dev/users and
// blast.dev/tier; a System feature needs every component of the system.
// References to entities not in the catalog given are errors. The error,
// when not nil, is Diagnostics.
func ImportBackstage(files []File) (*Import, error) {
	var diags Diagnostics
	r := newReport("backstage")
	byRef := map[string]*bsEntity{}
	var ents []*bsEntity
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			if root.Kind != yaml.MappingNode {
				src.errorf(root, "each YAML document of a catalog file is one entity: apiVersion, kind, metadata, spec", "want a catalog entity, got %s", kindName(root))
				continue
			}
			api, kind := text(get(root, "apiVersion")), text(get(root, "kind"))
			if kind == "" || api == "" {
				src.errorf(root, "an entity starts with apiVersion: backstage.io/v1alpha1 and kind", "not a catalog entity: apiVersion or kind missing")
				continue
			}
			if api != "backstage.io/v1alpha1" && api != "backstage.io/v1beta1" {
				src.errorf(get(root, "apiVersion"), "write apiVersion: backstage.io/v1alpha1", "unsupported apiVersion %q", api)
				continue
			}
			if !slices.Contains(backstageKinds, kind) {
				r.skip("catalog entities of kinds the importer does not read", kind)
				continue
			}
			name := text(dig(root, "metadata", "name"))
			if name == "" {
				src.errorf(root, "give the entity a metadata.name, as Backstage requires", "%s has no metadata.name", kind)
				continue
			}
			ns := text(dig(root, "metadata", "namespace"))
			if ns == "" {
				ns = "default"
			}
			e := &bsEntity{kind: kind, ns: ns, name: name, node: root, src: src}
			if prev, dup := byRef[e.key()]; dup {
				src.errorf(root, "keep one copy (Backstage compares names without case)", "%s appears twice (first at %s)", e.ref(), prev.src.pos(prev.node))
				continue
			}
			byRef[e.key()] = e
			ents = append(ents, e)
		}
	}
	slices.SortFunc(ents, func(a, b *bsEntity) int { return strings.Compare(a.ref(), b.ref()) })
	for _, e := range ents {
		e.id = e.name
		if e.ns != "default" {
			e.id = e.ns + "/" + e.name
		}
	}
	// resolve looks a reference up as Backstage does: kind, namespace and
	// name without case; the namespace defaults to the entity's own; def
	// is the kind when the ref has none ("" when the field needs one, as
	// dependsOn and dependencyOf do).
	resolve := func(e *bsEntity, n *yaml.Node, field, def string) *bsEntity {
		s := strings.ToLower(text(n))
		kind, rest := def, s
		if i := strings.Index(s, ":"); i >= 0 {
			kind, rest = s[:i], s[i+1:]
		}
		if kind == "" {
			e.src.errorf(n, fmt.Sprintf("write the kind, such as component:%s or resource:%s", text(n), text(n)),
				"%s: %s names %q without a kind; Backstage needs one there", e.ref(), field, text(n))
			return nil
		}
		if !strings.Contains(rest, "/") {
			rest = strings.ToLower(e.ns) + "/" + rest
		}
		if t := byRef[kind+":"+rest]; t != nil {
			return t
		}
		refs := sortedKeys(byRef)
		e.src.errorf(n, DidYouMean(kind+":"+rest, refs), "%s names %q, which is not in the catalog given", e.ref(), text(n))
		return nil
	}
	providers := map[*bsEntity][]string{}
	for _, e := range ents {
		for _, a := range items(dig(e.node, "spec", "providesApis")) {
			if api := resolve(e, a, "providesApis", "api"); api != nil {
				providers[api] = append(providers[api], e.id)
			}
		}
	}
	// spec.dependencyOf is dependsOn written on the other end: X
	// dependencyOf Y means Y depends on X.
	dependents := map[*bsEntity][]string{} // dependent → ids it depends on
	for _, e := range ents {
		if e.kind != "Component" && e.kind != "Resource" {
			continue
		}
		for _, d := range items(dig(e.node, "spec", "dependencyOf")) {
			t := resolve(e, d, "dependencyOf", "")
			if t == nil {
				continue
			}
			if t.kind != "Component" && t.kind != "Resource" {
				e.src.errorf(d, "dependencyOf names components and resources", "%s is a dependency of %s, a %s", e.ref(), t.ref(), t.kind)
				continue
			}
			dependents[t] = append(dependents[t], e.id)
		}
	}
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	members := map[*bsEntity][]string{} // system → component ids
	for _, e := range ents {
		if e.kind != "Component" && e.kind != "Resource" {
			continue
		}
		spec := get(e.node, "spec")
		s := Service{ID: e.id, Name: text(dig(e.node, "metadata", "title")), Description: text(dig(e.node, "metadata", "description")),
			Source: "backstage:" + e.ref(), Labels: map[string]string{}}
		for _, l := range []string{"type", "lifecycle", "owner", "system"} {
			if v := text(get(spec, l)); v != "" {
				s.Labels["backstage."+l] = v
			}
		}
		if v := text(dig(e.node, "metadata", "annotations", annotationK8sID)); v != "" {
			s.Labels[annotationK8sID] = v
		}
		if sys := get(spec, "system"); sys != nil {
			if t := resolve(e, sys, "system", "system"); t != nil {
				members[t] = append(members[t], e.id)
			}
		}
		seen := map[string]bool{}
		for _, d := range items(get(spec, "dependsOn")) {
			t := resolve(e, d, "dependsOn", "")
			if t == nil || seen[t.id] {
				continue
			}
			if t.kind != "Component" && t.kind != "Resource" {
				e.src.errorf(d, "dependsOn names components and resources", "%s depends on %s, a %s", e.ref(), t.ref(), t.kind)
				continue
			}
			seen[t.id] = true
			s.DependsOn = append(s.DependsOn, hard(t.id))
		}
		for _, id := range dependents[e] {
			if !seen[id] && id != e.id {
				seen[id] = true
				s.DependsOn = append(s.DependsOn, hard(id))
			}
		}
		for _, a := range items(get(spec, "consumesApis")) {
			api := resolve(e, a, "consumesApis", "api")
			if api == nil {
				continue
			}
			ps := slices.DeleteFunc(slices.Clone(providers[api]), func(id string) bool { return id == e.id })
			switch len(ps) {
			case 0:
				r.skip("consumed APIs no component in the catalog provides", e.id+" → "+api.ref())
			case 1:
				if !seen[ps[0]] {
					seen[ps[0]] = true
					s.DependsOn = append(s.DependsOn, hard(ps[0]))
				}
			default:
				slices.Sort(ps)
				s.DependsOn = append(s.DependsOn, Dep{Kind: DepAnyOf, Of: refList(ps...), K: 1})
			}
		}
		inv.Services = append(inv.Services, s)
	}
	for _, e := range ents {
		ann := dig(e.node, "metadata", "annotations")
		if text(get(ann, AnnotationFeature)) != "true" {
			continue
		}
		f := Feature{ID: "feature/" + e.name, Name: text(dig(e.node, "metadata", "title")), Description: text(dig(e.node, "metadata", "description")),
			Source: "backstage:" + e.ref()}
		if u := get(ann, AnnotationUsers); u != nil {
			n, err := strconv.ParseInt(text(u), 10, 64)
			if err != nil || n < 0 {
				e.src.errorf(u, "write a whole number in quotes, such as \"4700000\"", "%s: %s %q is not a number of users", e.ref(), AnnotationUsers, text(u))
			}
			f.Users = n
		}
		if tn := get(ann, AnnotationTier); tn != nil {
			n, err := strconv.Atoi(text(tn))
			if err != nil || n < 1 {
				e.src.errorf(tn, "write a tier such as \"1\"", "%s: %s %q is not a tier", e.ref(), AnnotationTier, text(tn))
			}
			f.Tier = n
		}
		switch e.kind {
		case "System":
			ids := slices.Clone(members[e])
			slices.Sort(ids)
			if len(ids) == 0 {
				r.skip("feature Systems with no component in the catalog", e.ref())
				continue
			}
			f.Product = e.name
			for _, id := range ids {
				f.DependsOn = append(f.DependsOn, hard(id))
			}
		case "Component":
			f.DependsOn = []Dep{hard(e.id)}
			f.Product = text(dig(e.node, "spec", "system"))
		default:
			e.src.errorf(get(ann, AnnotationFeature), "annotate a System or a Component", "%s is a %s: only Systems and Components can be features", e.ref(), e.kind)
			continue
		}
		inv.Features = append(inv.Features, f)
	}
	uniqueFeatureIDs(inv, r)
	if len(inv.Services) == 0 && len(inv.Features) == 0 && diags.Err() == nil {
		nothingImported(files, &diags, "no service or feature imported: the catalog holds no Component, Resource or feature System",
			"give the catalog-info.yaml files of the components (apiVersion backstage.io/v1alpha1, kind Component)")
	}
	return finishImport(inv, r, diags)
}

// uniqueFeatureIDs qualifies feature ids that two entities would share (a
// System and a Component of one name, or one name in two namespaces) with
// the entity's kind and namespace, such as feature/system:default/pay, and
// notes each one renamed.
func uniqueFeatureIDs(inv *Inventory, r *Report) {
	count := map[string]int{}
	for _, s := range inv.Services {
		count[s.ID]++
	}
	for _, f := range inv.Features {
		count[f.ID]++
	}
	for i, f := range inv.Features {
		if count[f.ID] < 2 {
			continue
		}
		id := "feature/" + strings.TrimPrefix(f.Source, "backstage:")
		r.note("%s takes feature id %q: another entity would take %q too", f.Source, id, f.ID)
		inv.Features[i].ID = id
	}
}
