package inventory

import (
	"cmp"
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
	inactive bool    // power ports: the path is not active (connected_endpoints_reachable false)
	node     *yaml.Node
	src      *source
}

type nbEnd struct {
	typ string // dcim.powerfeed or dcim.poweroutlet
	pk  int64
}

// nbCabling holds the cable records of dumpdata fixtures, which the REST
// API folds into each port's connected_endpoints: dcim.cable (status, and
// up to NetBox 3.2 its two terminations), dcim.cabletermination (NetBox
// 3.3 and later: cable, cable_end, termination_type, termination_id) and
// contenttypes.contenttype (to name a termination_type given as an id).
type nbCabling struct {
	status    map[int64]string // cable pk → status
	terms     []nbTerm
	ctypes    map[int64]string // content type pk → app_label.model
	cables    bool             // dcim.cable records were read
	dumpPorts bool             // dcim.powerport records were read
}

// nbTerm is one end of a cable: the component (by content type and
// primary key) on side A or B.
type nbTerm struct {
	pk    int64 // of the dcim.cabletermination; 0 for a NetBox 3.2 cable's own ends
	cable int64
	end   string
	typ   string // app_label.model; "" while only the content type id is known
	ctID  int64
	id    int64 // of the component
	node  *yaml.Node
	// where the cable and the component were named, for errors
	cableNode, idNode *yaml.Node
	src               *source
}

func (t *nbTerm) label() string {
	if t.pk == 0 {
		return fmt.Sprintf("dcim.cable %d end %s", t.cable, t.end)
	}
	return fmt.Sprintf("dcim.cabletermination %d", t.pk)
}

// contentType reads a content type foreign key: [app_label, model] as
// dumpdata --natural-foreign writes it, or the content type's id.
func contentType(n *yaml.Node) (name string, id int64, ok bool) {
	if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 2 {
		return text(n.Content[0]) + "." + text(n.Content[1]), 0, true
	}
	id, ok = wholeNumber(n)
	return "", id, ok
}

// readCabling reads one dumpdata record of the cable models; it reports
// whether model is one of them.
func readCabling(src *source, model string, e *yaml.Node, cab *nbCabling) bool {
	fields := get(e, "fields")
	pk, _ := wholeNumber(get(e, "pk"))
	switch model {
	case "contenttypes.contenttype":
		cab.ctypes[pk] = text(get(fields, "app_label")) + "." + text(get(fields, "model"))
	case "dcim.cable":
		cab.cables = true
		st := text(get(fields, "status"))
		if st == "" { // not recorded: taken as connected
			st = "connected"
		}
		cab.status[pk] = st
		// Up to NetBox 3.2 a cable names its own two ends.
		for _, end := range []string{"a", "b"} {
			tn := get(fields, "termination_"+end+"_type")
			if tn == nil {
				continue
			}
			t := nbTerm{cable: pk, end: strings.ToUpper(end), node: e, cableNode: e, src: src}
			if !readTermination(src, &t, tn, get(fields, "termination_"+end+"_id")) {
				continue
			}
			cab.terms = append(cab.terms, t)
		}
	case "dcim.cabletermination":
		t := nbTerm{pk: pk, end: text(get(fields, "cable_end")), node: e, cableNode: get(fields, "cable"), src: src}
		c, ok := wholeNumber(get(fields, "cable"))
		if !ok {
			src.errorf(e, "", "dcim.cabletermination %d: cable must be a cable's primary key", pk)
			return true
		}
		t.cable = c
		if readTermination(src, &t, get(fields, "termination_type"), get(fields, "termination_id")) {
			cab.terms = append(cab.terms, t)
		}
	default:
		return false
	}
	return true
}

func readTermination(src *source, t *nbTerm, typ, id *yaml.Node) bool {
	name, ctID, ok := contentType(typ)
	if !ok {
		src.errorf(cmp.Or(typ, t.node), "", "%s: termination_type must be [app_label, model] or a content type id, got %s", t.label(), kindName(typ))
		return false
	}
	n, ok := wholeNumber(id)
	t.idNode = id
	if !ok {
		src.errorf(t.node, "", "%s: termination_id must be the component's primary key", t.label())
		return false
	}
	t.typ, t.ctID, t.id = name, ctID, n
	return true
}

// netboxCabling gives each power port of a dumpdata fixture the far ends
// of its cable, as the REST API's connected_endpoints would: the power
// feeds and power outlets on the other end of a connected cable. (A power
// path ends at the first outlet or feed: NetBox does not trace through a
// PDU, and neither does the importer; the PDU's own ports carry on.)
func netboxCabling(objs map[string]map[int64]*nbObject, seen map[string]bool, cab *nbCabling, r *Report) {
	if cab.dumpPorts && len(cab.terms) == 0 {
		r.note("the dump holds power ports but no cable records (dcim.cable, dcim.cabletermination): devices take their power from their rack")
	}
	byCable := map[int64][]*nbTerm{}
	dead := map[int64]bool{} // cables not connected, reported once
	for i := range cab.terms {
		t := &cab.terms[i]
		if t.typ == "" {
			name, ok := cab.ctypes[t.ctID]
			if !ok {
				r.skip("cable terminations whose termination_type is a content type id the input does not name (dump with --natural-foreign, or add contenttypes.contenttype)", t.label())
				continue
			}
			t.typ = name
		}
		if cab.cables {
			st, ok := cab.status[t.cable]
			if !ok {
				t.src.errorf(t.cableNode, "dump dcim whole: the objects must come from one export", "%s names cable %d, which is not in the dcim.cable records given", t.label(), t.cable)
				continue
			}
			if st != "connected" {
				if !dead[t.cable] {
					dead[t.cable] = true
					r.skip("cables with status planned or decommissioning (no power flows through them)", fmt.Sprintf("dcim.cable %d (%s)", t.cable, st))
				}
				continue
			}
		}
		byCable[t.cable] = append(byCable[t.cable], t)
	}
	for _, c := range sortedKeys64(byCable) {
		ts := byCable[c]
		slices.SortFunc(ts, func(a, b *nbTerm) int {
			return cmp.Or(strings.Compare(a.end, b.end), strings.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id))
		})
		for _, t := range ts {
			switch t.typ {
			case "dcim.powerfeed", "dcim.poweroutlet":
				continue // read from the power port's side
			case "dcim.powerport":
			default:
				r.skip("cable ends on components other than power ports, outlets and feeds", t.typ)
				continue
			}
			p := objs["power-ports"][t.id]
			if p == nil {
				if seen["power-ports"] {
					t.src.errorf(t.idNode, "dump dcim whole: the objects must come from one export", "%s names power port %d, which is not in the dcim.powerport records given", t.label(), t.id)
				}
				continue
			}
			for _, u := range ts {
				if u.end != t.end && (u.typ == "dcim.powerfeed" || u.typ == "dcim.poweroutlet") {
					p.ends = append(p.ends, nbEnd{typ: u.typ, pk: u.id})
				}
			}
		}
	}
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
// both. From a dumpdata fixture the importer reads, besides the models of
// those endpoints, dcim.cable (status; up to NetBox 3.2 also its
// termination_a/b_type and _id), dcim.cabletermination (cable, cable_end,
// termination_type, termination_id) and contenttypes.contenttype (to name
// a termination_type given as an id rather than as [app_label, model]):
// a power port's far ends are the power feeds and outlets on the other end
// of its connected cables, as the REST API's connected_endpoints give
// them. It does not read dcim.cablepath or the ports' _path. Field names
// of NetBox 3.x and 4.x are read (device_role and role, rack group and
// location). Every problem is reported with its position; the error, when
// not nil, is Diagnostics.
//
// The mapping: regions, sites, locations (top level: building, nested:
// room), racks and devices (host; a device whose role slug holds "pdu":
// power) form the parent chain; power panels are power components under
// their location or site; power feeds are power components under their
// panel, and a rack's power is its feeds, any one sufficing. A device's
// power ports reaching power feeds or PDU outlets give the device its own
// power; a port whose path is not active (a planned or decommissioning
// cable) gives none. Feeds and devices with status failed or offline are
// imported as already failed; planned feeds, and devices planned, in
// inventory or being decommissioned, are not imported (reported), nor are
// sites and locations planned, decommissioning or retired, racks planned or
// deprecated, and everything inside them (reported).
func ImportNetBox(files []File) (*Import, error) {
	var diags Diagnostics
	objs := map[string]map[int64]*nbObject{}
	seen := map[string]bool{}
	cab := &nbCabling{status: map[int64]string{}, ctypes: map[int64]string{}}
	r := newReport("netbox")
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			readNetBox(src, root, objs, seen, cab, r)
		}
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	checkNetBoxRefs(objs, seen, &diags, r)
	netboxCabling(objs, seen, cab, r)
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	inv := buildNetBox(objs, r)
	if len(inv.Components) == 0 && len(files) > 0 {
		nothingImported(files, &diags, "no component imported: the input holds no regions, sites, locations, racks, power panels, feeds or named devices",
			"save the list responses of /api/dcim/sites/, /api/dcim/racks/, ... (see blast import netbox --help), or a dumpdata of dcim")
		return nil, diags
	}
	r.finish(inv)
	return &Import{Inv: inv, Report: r}, nil
}

func readNetBox(src *source, root *yaml.Node, objs map[string]map[int64]*nbObject, seen map[string]bool, cab *nbCabling, r *Report) {
	switch root.Kind {
	case yaml.SequenceNode: // dumpdata
		byModel := map[string]string{}
		for ep, m := range netboxEndpoints {
			byModel[m] = ep
		}
		for _, e := range items(root) {
			model := text(get(e, "model"))
			if model == "" || get(e, "fields") == nil {
				src.errorf(e, "export with: manage.py dumpdata dcim --natural-foreign --indent 2", "not a dumpdata entry: want {model, pk, fields}")
				continue
			}
			if readCabling(src, model, e, cab) {
				continue
			}
			ep, ok := byModel[model]
			if !ok {
				r.skip("objects of models the importer does not read", model)
				continue
			}
			seen[ep] = true
			if ep == "power-ports" {
				cab.dumpPorts = true
			}
			o := netboxObject(src, ep, e, get(e, "fields"), get(e, "pk"))
			if o != nil {
				add(objs, o, src)
			}
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
		reach := get(fields, "connected_endpoints_reachable")
		if reach == nil {
			reach = get(fields, "connected_endpoint_reachable")
		}
		if text(reach) == "false" && len(items(ends)) > 0 {
			o.inactive = true // a planned or decommissioning cable on the path
			ends = nil
		}
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
	dead := map[*nbObject]*nbObject{}
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
			if x := netboxOutOfService(o, objs, dead); x != nil {
				if x == o {
					r.skip(netboxNotLive[ep].what, o.label())
				} else {
					r.skip("objects inside a site, location or rack not in service", o.label()+" in "+x.label())
				}
				continue
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

// netboxNotLive are the statuses of sites, locations and racks that are
// not in service (NetBox's SiteStatusChoices, LocationStatusChoices and
// RackStatusChoices), and the keys naming what contains an object of each
// endpoint. Staging sites and locations, and reserved or available racks,
// are in service.
var netboxNotLive = map[string]struct {
	statuses []string
	what     string
}{
	"sites":     {[]string{"planned", "decommissioning", "retired"}, "sites with status planned, decommissioning or retired (not in service)"},
	"locations": {[]string{"planned", "decommissioning", "retired"}, "locations with status planned, decommissioning or retired (not in service)"},
	"racks":     {[]string{"planned", "deprecated"}, "racks with status planned or deprecated (not in service)"},
}

var netboxContainers = map[string][]string{
	"locations":    {"site", "parent"},
	"racks":        {"site", "location"},
	"power-panels": {"site", "location"},
	"power-feeds":  {"power_panel"},
	"devices":      {"site", "location", "rack"},
}

// netboxOutOfService returns the site, location or rack not in service
// that o is or is inside, or nil. memo maps objects already seen to the
// answer (o itself when live).
func netboxOutOfService(o *nbObject, objs map[string]map[int64]*nbObject, memo map[*nbObject]*nbObject) *nbObject {
	if x, ok := memo[o]; ok {
		if x == o && !slices.Contains(netboxNotLive[o.endpoint].statuses, o.status) {
			return nil
		}
		return x
	}
	memo[o] = o // guards against a parent loop
	if slices.Contains(netboxNotLive[o.endpoint].statuses, o.status) {
		return o
	}
	for _, k := range netboxContainers[o.endpoint] {
		if p := netboxRef(o, objs, k); p != nil {
			if x := netboxOutOfService(p, objs, memo); x != nil {
				memo[o] = x
				return x
			}
		}
	}
	return nil
}

// netboxRef returns the object o's reference key names, or nil when o
// has no such reference or it names nothing read.
func netboxRef(o *nbObject, objs map[string]map[int64]*nbObject, key string) *nbObject {
	id, ok := o.refs[key]
	if !ok {
		return nil
	}
	for _, rf := range netboxRefs[o.endpoint] {
		if rf.key == key {
			if p := objs[rf.target][id]; p != nil {
				return p
			}
		}
	}
	return nil
}

// netboxParent returns the object that contains o, or nil.
func netboxParent(o *nbObject, objs map[string]map[int64]*nbObject) *nbObject {
	try := func(keys ...string) *nbObject {
		for _, k := range keys {
			if p := netboxRef(o, objs, k); p != nil {
				return p
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
		if p.inactive {
			r.skip("power ports whose cable path is not active (connected_endpoints_reachable false: a planned or decommissioning cable)", fmt.Sprintf("%s %s", ids[dev], p.name))
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
				r.skip("power ports whose far end is not imported (not in the input: save power-feeds, power-outlets and devices; or not in service)", fmt.Sprintf("%s %s → %s %d", ids[dev], p.name, e.typ, e.pk))
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
