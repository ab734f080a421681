package inventory

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// NetBox endpoints the importer reads, by the name of their REST endpoint
// under /api/dcim/, with the dumpdata model of each.
var netboxEndpoints = map[string]string{
	"regions":       "dcim.region",
	"sites":         "dcim.site",
	"locations":     "dcim.location",
	"racks":         "dcim.rack",
	"devices":       "dcim.device",
	"device-roles":  "dcim.devicerole",
	"power-panels":  "dcim.powerpanel",
	"power-feeds":   "dcim.powerfeed",
	"power-ports":   "dcim.powerport",
	"power-outlets": "dcim.poweroutlet",
}

// NetBoxEndpoints lists the /api/dcim/ endpoints the NetBox importer reads,
// sorted.
func NetBoxEndpoints() []string { return sortedKeys(netboxEndpoints) }

// nbObject is one NetBox object, from either input form, reduced to what
// the importer uses. Foreign keys are primary keys; refNode keeps where each
// was written.
type nbObject struct {
	endpoint string
	pk       int64
	name     string
	slug     string
	status   string
	feedType string // power feeds: primary or redundant
	refs     map[string]int64
	refNode  map[string]*yaml.Node
	ends     []nbEnd // power ports: the endpoints their cable paths reach
	endsNode *yaml.Node
	node     *yaml.Node
	src      *source
}

type nbEnd struct {
	typ string // dcim.powerfeed or dcim.poweroutlet
	pk  int64
}

func (o *nbObject) ref(k string) int64 { return o.refs[k] }

func (o *nbObject) sourceID() string {
	return "netbox:dcim/" + o.endpoint + "/" + strconv.FormatInt(o.pk, 10)
}

// label is how the report names o.
func (o *nbObject) label() string {
	if o.name != "" {
		return fmt.Sprintf("%s %q (dcim/%s/%d)", strings.TrimSuffix(o.endpoint, "s"), o.name, o.endpoint, o.pk)
	}
	return fmt.Sprintf("dcim/%s/%d", o.endpoint, o.pk)
}

// netboxRefs are the foreign keys read from each endpoint, with the
// endpoint each names, and the older names the same key had.
var netboxRefs = map[string][]struct{ key, target, old string }{
	"regions":       {{"parent", "regions", ""}},
	"sites":         {{"region", "regions", ""}},
	"locations":     {{"site", "sites", ""}, {"parent", "locations", ""}},
	"racks":         {{"site", "sites", ""}, {"location", "locations", "group"}},
	"devices":       {{"site", "sites", ""}, {"location", "locations", ""}, {"rack", "racks", ""}, {"role", "device-roles", "device_role"}},
	"power-panels":  {{"site", "sites", ""}, {"location", "locations", ""}},
	"power-feeds":   {{"power_panel", "power-panels", ""}, {"rack", "racks", ""}},
	"power-ports":   {{"device", "devices", ""}},
	"power-outlets": {{"device", "devices", ""}},
}

// ImportNetBox builds an inventory from NetBox data: REST API list
// responses ({count, next, previous, results}) saved one endpoint a file
// (the endpoint is read from each object's url, else from the file name,
// such as racks.json), or a dumpdata fixture ([{model, pk, fields}]), or
// both. Field names of NetBox 3.x and 4.x are read (device_role and role,
// rack group and location). Every problem is reported with its position;
// the error, when not nil, is Diagnostics.
//
// The mapping: regions, sites, locations (top level: building, nested:
// room), racks and devices (host; a device whose role slug holds "pdu":
// power) form the parent chain; power panels are power components under
// their location or site; power feeds are power components under their
// panel, and a rack's power is its feeds, any one sufficing. A device's
// power ports reaching power feeds or PDU outlets give the device its own
// power. Feeds and devices with status failed or offline are imported as
// already failed; planned feeds, and devices planned, in inventory or
// being decommissioned, are not imported (reported).
func ImportNetBox(files []File) (*Import, error) {
	var diags Diagnostics
	objs := map[string]map[int64]*nbObject{}
	seen := map[string]bool{}
	r := newReport("netbox")
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			readNetBox(src, root, objs, seen, r)
		}
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	checkNetBoxRefs(objs, seen, &diags, r)
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	inv := buildNetBox(objs, r)
	if len(inv.Components) == 0 && len(files) > 0 {
		diags = append(diags, Diagnostic{Pos: Pos{File: files[0].Name, Line: 1, Col: 1}, Msg: "no component imported: the input holds no regions, sites, locations, racks, power panels, feeds or named devices",
			Hint: "save the list responses of /api/dcim/sites/, /api/dcim/racks/, ... (see blast import netbox --help), or a dumpdata of dcim"})
		return nil, diags
	}
	r.finish(inv)
	return &Import{Inv: inv, Report: r}, nil
}

func readNetBox(src *source, root *yaml.Node, objs map[string]map[int64]*nbObject, seen map[string]bool, r *Report) {
	switch root.Kind {
	case yaml.SequenceNode: // dumpdata
		byModel := map[string]string{}
		for ep, m := range netboxEndpoints {
			byModel[m] = ep
		}
		for _, e := range items(root) {
			model := text(get(e, "model"))
			if model == "" || get(e, "fields") == nil {
				src.errorf(e, "export with: manage.py dumpdata dcim --indent 2", "not a dumpdata entry: want {model, pk, fields}")
				continue
			}
			ep, ok := byModel[model]
			if !ok {
				r.skip("objects of models the importer does not read", model)
				continue
			}
			seen[ep] = true
			o := netboxObject(src, ep, e, get(e, "fields"), get(e, "pk"))
			if o != nil {
				add(objs, o, src)
			}
		}
		if seen["power-ports"] {
			r.note("the importer does not read dumpdata's cable records (dcim.cable, dcim.cabletermination, dcim.cablepath): devices take their power from their rack (save the power-ports endpoint from the REST API for per-device power)")
		}
	case yaml.MappingNode: // REST list
		results := get(root, "results")
		if results == nil || results.Kind != yaml.SequenceNode || get(root, "count") == nil {
			src.errorf(root, "save the JSON of GET /api/dcim/<endpoint>/ (with ?limit=0 or every page), or a dumpdata fixture", "not a NetBox list response: want {count, next, previous, results}")
			return
		}
		if text(get(root, "next")) != "" {
			src.errorf(get(root, "next"), "save every page (follow next), or ask for ?limit=0, or use --url", "this is one page of a longer list (next is set): objects on the other pages would be missing")
			return
		}
		if count, ok := wholeNumber(get(root, "count")); ok && count != int64(len(items(results))) {
			src.errorf(get(root, "count"), "save every page into one results list, or ask for ?limit=0, or use --url",
				"count says %d, %d read: is a page missing?", count, len(items(results)))
			return
		}
		fileEP := strings.TrimSuffix(filepath.Base(src.file), filepath.Ext(src.file))
		for _, e := range items(results) {
			ep := endpointOf(text(get(e, "url")))
			if ep == "" {
				ep = fileEP
			}
			if _, ok := netboxEndpoints[ep]; !ok {
				r.skip("objects of endpoints the importer does not read", ep)
				continue
			}
			seen[ep] = true
			if o := netboxObject(src, ep, e, e, get(e, "id")); o != nil {
				add(objs, o, src)
			}
		}
		if len(items(results)) == 0 {
			if _, ok := netboxEndpoints[fileEP]; ok {
				seen[fileEP] = true
			}
		}
	default:
		src.errorf(root, "", "want a NetBox list response or a dumpdata fixture, got %s", kindName(root))
	}
}

// endpointOf returns the endpoint of an object url such as
// https://netbox.example.com/api/dcim/racks/12/, or "".
func endpointOf(url string) string {
	i := strings.Index(url, "/api/dcim/")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.Trim(url[i+len("/api/dcim/"):], "/"), "/")
	return parts[0]
}

func add(objs map[string]map[int64]*nbObject, o *nbObject, src *source) {
	m := objs[o.endpoint]
	if m == nil {
		m = map[int64]*nbObject{}
		objs[o.endpoint] = m
	}
	if prev, dup := m[o.pk]; dup {
		src.errorf(o.node, "export each object once", "dcim/%s/%d appears twice (first at %s)", o.endpoint, o.pk, prev.src.pos(prev.node))
		return
	}
	m[o.pk] = o
}

// netboxObject reads one object; fields is the object itself (REST) or its
// fields (dumpdata).
func netboxObject(src *source, ep string, node, fields, pkNode *yaml.Node) *nbObject {
	pk, ok := wholeNumber(pkNode)
	if !ok {
		src.errorf(node, "", "dcim/%s object has no numeric id", ep)
		return nil
	}
	o := &nbObject{endpoint: ep, pk: pk, node: node, src: src, refs: map[string]int64{}, refNode: map[string]*yaml.Node{}}
	o.name = text(get(fields, "name"))
	o.slug = text(get(fields, "slug"))
	o.status = choice(get(fields, "status"))
	o.feedType = choice(get(fields, "type"))
	if ep == "device-roles" && o.slug == "" {
		o.slug = o.name
	}
	for _, rf := range netboxRefs[ep] {
		v := get(fields, rf.key)
		if v == nil && rf.old != "" {
			v = get(fields, rf.old)
		}
		if v == nil || isNull(v) {
			continue
		}
		id := v
		if v.Kind == yaml.MappingNode {
			id = get(v, "id")
		}
		n, ok := wholeNumber(id)
		if !ok {
			src.errorf(v, "", "dcim/%s/%d: %s must be an object with an id or a number, got %s", ep, pk, rf.key, kindName(v))
			continue
		}
		o.refs[rf.key], o.refNode[rf.key] = n, v
		if rf.key == "role" && v.Kind == yaml.MappingNode {
			o.refNode["role-slug"] = get(v, "slug")
		}
	}
	if ep == "power-ports" {
		ends := get(fields, "connected_endpoints") // NetBox 3.3 and later
		typ := text(get(fields, "connected_endpoints_type"))
		if ends == nil { // earlier: one connected endpoint
			if e := get(fields, "connected_endpoint"); e != nil && !isNull(e) {
				ends = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{e}}
				typ = text(get(fields, "connected_endpoint_type"))
			}
		}
		o.endsNode = ends
		for _, e := range items(ends) {
			if n, ok := wholeNumber(get(e, "id")); ok {
				o.ends = append(o.ends, nbEnd{typ: typ, pk: n})
			}
		}
	}
	return o
}

// choice reads a NetBox choice field: {value, label} in the REST API, a
// plain string in dumpdata.
func choice(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.MappingNode {
		return text(get(n, "value"))
	}
	return text(n)
}

// checkNetBoxRefs reports foreign keys naming objects missing from an
// endpoint that was given; keys into endpoints not given at all are
// reported as not mapped.
func checkNetBoxRefs(objs map[string]map[int64]*nbObject, seen map[string]bool, diags *Diagnostics, r *Report) {
	for _, ep := range sortedKeys(objs) {
		for _, pk := range sortedKeys64(objs[ep]) {
			o := objs[ep][pk]
			for _, rf := range netboxRefs[ep] {
				id, ok := o.refs[rf.key]
				if !ok {
					continue
				}
				if !seen[rf.target] {
					if rf.target != "device-roles" || o.refNode["role-slug"] == nil {
						r.skip(fmt.Sprintf("%s references to %s, whose endpoint was not given", rf.key, rf.target), o.label())
					}
					delete(o.refs, rf.key)
					continue
				}
				if objs[rf.target][id] == nil {
					o.src.errorf(o.refNode[rf.key], fmt.Sprintf("export dcim/%s again: the objects must come from one export", rf.target),
						"dcim/%s/%d names %s %d, which is not in the %s given", ep, pk, rf.key, id, rf.target)
				}
			}
		}
	}
}

func sortedKeys64[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// buildNetBox maps the objects to components.
func buildNetBox(objs map[string]map[int64]*nbObject, r *Report) *Inventory {
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	order := []string{"regions", "sites", "locations", "racks", "power-panels", "power-feeds", "devices"}
	ids := map[*nbObject]string{}
	taken := map[string]*nbObject{} // id → object of an earlier endpoint
	// Short ids are slugs or names; where two objects would share one, the
	// id is qualified by the parent's id.
	for _, ep := range order {
		var list []*nbObject
		var short, qual []string
		for _, pk := range sortedKeys64(objs[ep]) {
			o := objs[ep][pk]
			name := o.slug
			if name == "" {
				name = o.name
			}
			if name == "" {
				if ep == "devices" {
					r.skip("devices without a name (such as patch panels)", o.label())
					continue
				}
				name = fmt.Sprintf("%s-%d", strings.TrimSuffix(ep, "s"), pk)
			}
			if ep == "devices" && (o.status == "planned" || o.status == "inventory" || o.status == "decommissioning") {
				r.skip("devices with status planned, inventory or decommissioning (not in service)", o.label())
				continue
			}
			if ep == "power-feeds" && o.status == "planned" {
				r.skip("power feeds with status planned (not in service)", o.label())
				continue
			}
			p := netboxParent(o, objs)
			s, q := name, name
			if p != nil && ids[p] != "" {
				q = ids[p] + "/" + name
			}
			// Racks and panels are named within a site, feeds within a
			// panel: their ids say where they are.
			switch ep {
			case "racks", "power-panels":
				if site := objs["sites"][o.refs["site"]]; site != nil && ids[site] != "" {
					s = ids[site] + "/" + name
				}
			case "power-feeds":
				s = q
			case "devices":
				if site := objs["sites"][o.refs["site"]]; site != nil && ids[site] != "" {
					q = ids[site] + "/" + name
				}
			}
			list = append(list, o)
			short, qual = append(short, cleanID(s)), append(qual, cleanID(q))
		}
		for i, id := range uniqueIDs(short, qual) {
			ids[list[i]] = id
		}
		// Ids are unique across endpoints too: a site and a location
		// often share a slug. The object of the earlier endpoint (the
		// larger domain) keeps the id; the later one is qualified by its
		// parent, else by its endpoint and primary key.
		mine := map[string]int{}
		for _, o := range list {
			mine[ids[o]]++
		}
		for i, o := range list {
			prev, clash := taken[ids[o]]
			if !clash {
				continue
			}
			id := qual[i]
			if _, again := taken[id]; again || mine[id] > 0 {
				id = cleanID(fmt.Sprintf("%s-%s-%d", ids[o], strings.TrimSuffix(ep, "s"), o.pk))
			}
			r.note("%s takes id %q: %q is %s", o.label(), id, ids[o], prev.label())
			ids[o] = id
		}
		for _, o := range list {
			taken[ids[o]] = o
		}
	}
	feedsOf := map[int64][]string{} // rack pk → feed ids
	for _, pk := range sortedKeys64(objs["power-feeds"]) {
		f := objs["power-feeds"][pk]
		if rack, ok := f.refs["rack"]; ok && ids[f] != "" {
			feedsOf[rack] = append(feedsOf[rack], ids[f])
		}
		if ids[f] != "" && f.refs["rack"] == 0 {
			r.skip("power feeds not connected to a rack (they feed nothing the importer can see)", f.label())
		}
	}
	devPower := netboxDevicePower(objs, ids, r)
	for _, ep := range order {
		for _, pk := range sortedKeys64(objs[ep]) {
			o := objs[ep][pk]
			id := ids[o]
			if id == "" {
				continue
			}
			c := Component{ID: id, Source: o.sourceID()}
			if o.name != id {
				c.Name = o.name
			}
			if p := netboxParent(o, objs); p != nil {
				c.Parent = Ref{ID: ids[p]}
			}
			switch ep {
			case "regions":
				c.Kind = "region"
			case "sites":
				c.Kind = "site"
			case "locations":
				c.Kind = "building"
				if _, nested := o.refs["parent"]; nested {
					c.Kind = "room"
				}
			case "racks":
				c.Kind = "rack"
				if f := feedsOf[pk]; len(f) > 0 {
					c.Power = &Feeds{Feeds: refList(f...)}
				}
			case "power-panels":
				c.Kind = "power"
			case "power-feeds":
				c.Kind = "power"
				if o.feedType != "" {
					c.Labels = map[string]string{"netbox.type": o.feedType}
				}
			case "devices":
				c.Kind = "host"
				role := netboxRole(o, objs)
				if strings.Contains(role, "pdu") {
					c.Kind = "power"
				}
				if role != "" {
					c.Labels = map[string]string{"netbox.role": role}
				}
				if p := devPower[pk]; len(p) > 0 {
					c.Power = &Feeds{Feeds: refList(p...)}
				}
			}
			if (ep == "power-feeds" || ep == "devices") && (o.status == "failed" || o.status == "offline") {
				c.Failed = true
				r.Failed = append(r.Failed, Note{ID: id, Why: o.sourceID() + " has status " + o.status})
			}
			inv.Components = append(inv.Components, c)
		}
	}
	sortInventory(inv)
	return inv
}

// netboxParent returns the object that contains o, or nil.
func netboxParent(o *nbObject, objs map[string]map[int64]*nbObject) *nbObject {
	try := func(keys ...string) *nbObject {
		for _, k := range keys {
			if id, ok := o.refs[k]; ok {
				for _, rf := range netboxRefs[o.endpoint] {
					if rf.key == k {
						if p := objs[rf.target][id]; p != nil {
							return p
						}
					}
				}
			}
		}
		return nil
	}
	switch o.endpoint {
	case "regions":
		return try("parent")
	case "sites":
		return try("region")
	case "locations":
		return try("parent", "site")
	case "racks", "power-panels":
		return try("location", "site")
	case "devices":
		return try("rack", "location", "site")
	case "power-feeds":
		return try("power_panel")
	}
	return nil
}

// netboxRole returns a device's role slug.
func netboxRole(o *nbObject, objs map[string]map[int64]*nbObject) string {
	if n := o.refNode["role-slug"]; n != nil {
		return text(n)
	}
	if id, ok := o.refs["role"]; ok {
		if role := objs["device-roles"][id]; role != nil {
			return role.slug
		}
	}
	return ""
}

// netboxDevicePower follows each device's power ports to what their cable
// paths reach: a power feed, or an outlet of a PDU (then the PDU device).
func netboxDevicePower(objs map[string]map[int64]*nbObject, ids map[*nbObject]string, r *Report) map[int64][]string {
	out := map[int64][]string{}
	for _, pk := range sortedKeys64(objs["power-ports"]) {
		p := objs["power-ports"][pk]
		dev := objs["devices"][p.refs["device"]]
		if dev == nil || ids[dev] == "" {
			continue
		}
		if len(p.ends) == 0 {
			r.skip("power ports not connected to a feed or outlet", fmt.Sprintf("%s %s", ids[dev], p.name))
			continue
		}
		for _, e := range p.ends {
			var id string
			switch e.typ {
			case "dcim.powerfeed":
				if f := objs["power-feeds"][e.pk]; f != nil {
					id = ids[f]
				}
			case "dcim.poweroutlet":
				if o := objs["power-outlets"][e.pk]; o != nil {
					if pdu := objs["devices"][o.refs["device"]]; pdu != nil {
						id = ids[pdu]
					}
				}
			}
			if id == "" {
				r.skip("power ports whose far end is not in the input (save power-feeds, power-outlets and devices)", fmt.Sprintf("%s %s → %s %d", ids[dev], p.name, e.typ, e.pk))
				continue
			}
			if id != ids[dev] && !slices.Contains(out[dev.pk], id) {
				out[dev.pk] = append(out[dev.pk], id)
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// netboxPath is the REST path of an endpoint.
func netboxPath(ep string) string { return path.Join("/api/dcim", ep) + "/" }
