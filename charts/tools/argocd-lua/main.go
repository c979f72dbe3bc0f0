// argocd-lua runs an Argo CD resource customization (health, action discovery or action Lua script) the way
// Argo CD's application controller does: in gopher-lua (the interpreter Argo CD embeds), with only the base,
// package and table libraries and an `os` holding date and time, unless the argocd-cm key
// resource.customizations.useOpenLibs.<group_kind> turns every standard library on; a 1 s deadline; `obj` decoded
// from JSON and the result encoded back with layeh.com/gopher-json, the JSON bridge Argo CD uses. So a script
// that needs C Lua 5.1 (string.format, s:sub(), math.floor, os.clock without open libraries) fails here as in Argo CD.
//
//	argocd-lua < request.json > result.json
//
// request: {"mode": "health" | "discovery" | "action", "script": "<lua>", "obj": {...}, "openLibs": false}
// result:  health    {"status": "...", "message": "..."} (an unknown status becomes Unknown, as in Argo CD)
//
//	discovery [{"name": "...", "disabled": bool, "iconClass": "...", "displayName": "..."}] sorted by name
//	action    the object the action returns (or the list of impacted resources of a new-style action)
//
// A script error, a non-table result or an unencodable table exits 1 with the reason on stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

type request struct {
	Mode     string          `json:"mode"`
	Script   string          `json:"script"`
	Obj      json.RawMessage `json:"obj"`
	OpenLibs bool            `json:"openLibs"`
}

func main() {
	out, err := handle(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "argocd-lua:", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}

func handle(in io.Reader) ([]byte, error) {
	var req request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return nil, fmt.Errorf("reading the request: %w", err)
	}
	if req.Mode != "health" && req.Mode != "discovery" && req.Mode != "action" {
		return nil, fmt.Errorf("mode %q: want health, discovery or action", req.Mode)
	}
	result, err := run(req)
	if err != nil {
		return nil, err
	}
	switch req.Mode {
	case "health":
		return health(result)
	case "discovery":
		return discovery(result)
	default:
		return action(result, req.Obj)
	}
}

// run executes the script with `obj` bound and returns its result encoded as JSON.
func run(req request) ([]byte, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: !req.OpenLibs})
	defer L.Close()
	if !req.OpenLibs {
		for _, lib := range []struct {
			name string
			open lua.LGFunction
		}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
			if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), Protect: true}, lua.LString(lib.name)); err != nil {
				return nil, err
			}
		}
		safeOs(L)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	obj, err := luajson.Decode(L, req.Obj)
	if err != nil {
		return nil, fmt.Errorf("obj: %w", err)
	}
	L.SetGlobal("obj", obj)
	if err := L.DoString(req.Script); err != nil {
		return nil, err
	}
	value := L.Get(-1)
	if value.Type() != lua.LTTable {
		return nil, fmt.Errorf("expect table output from Lua script, not %s", value.Type())
	}
	return luajson.Encode(value)
}

// safeOs gives the script gopher-lua's own os.date and os.time and nothing else of `os` (no exit, execute, getenv,
// remove, clock), also through require("os").
func safeOs(L *lua.LState) {
	L.Push(L.NewFunction(lua.OpenOs))
	L.Call(0, 1)
	full := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	safe := L.NewTable()
	for _, name := range []string{"date", "time"} {
		safe.RawSetString(name, full.RawGetString(name))
	}
	L.SetGlobal(lua.OsLibName, safe)
	L.SetField(L.GetField(L.Get(lua.RegistryIndex), "_LOADED"), lua.OsLibName, safe) // what require("os") returns
}

var healthStatuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

func health(result []byte) ([]byte, error) {
	var hs struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(result, &hs); err != nil {
		return nil, fmt.Errorf("health result %s: %w", result, err)
	}
	if !healthStatuses[hs.Status] {
		hs.Status, hs.Message = "Unknown", "Lua returned an invalid health status"
	}
	return json.Marshal(hs)
}

type resourceAction struct {
	Name        string `json:"name"`
	Disabled    bool   `json:"disabled"`
	IconClass   string `json:"iconClass,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

func discovery(result []byte) ([]byte, error) {
	actions := []resourceAction{}
	if string(result) == "[]" { // an empty Lua table: no actions
		return json.Marshal(actions)
	}
	var byName map[string]json.RawMessage
	if err := json.Unmarshal(result, &byName); err != nil {
		return nil, fmt.Errorf("discovery result %s: want a table of actions by name: %w", result, err)
	}
	for name, raw := range byName {
		a := resourceAction{}
		if string(raw) != "[]" { // {} from Lua: an enabled action with no options
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, fmt.Errorf("action %q: %w", name, err)
			}
		}
		a.Name = name
		actions = append(actions, a)
	}
	sort.Slice(actions, func(i, j int) bool { return actions[i].Name < actions[j].Name })
	return json.Marshal(actions)
}

func action(result []byte, input json.RawMessage) ([]byte, error) {
	if len(result) < 2 {
		return nil, errors.New("Lua output was not a valid json object or array")
	}
	if result[0] == '[' { // a new-style action: a list of impacted resources, returned as they are
		return result, nil
	}
	var out, in map[string]any
	if err := json.Unmarshal(result, &out); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	return json.Marshal(restoreEmptyObjects(out, in))
}

// restoreEmptyObjects undoes what the JSON bridge cannot tell apart: an empty Lua table is encoded as [], so where
// the input object had an object and the output has an empty array, the input's object is kept (as Argo CD does).
func restoreEmptyObjects(out, in map[string]any) map[string]any {
	for key, newValue := range out {
		switch n := newValue.(type) {
		case map[string]any:
			if o, ok := in[key].(map[string]any); ok {
				out[key] = restoreEmptyObjects(n, o)
			}
		case []any:
			switch o := in[key].(type) {
			case map[string]any:
				if len(n) == 0 {
					out[key] = o
				}
			case []any:
				for i := range n {
					if i < len(o) {
						nm, ok1 := n[i].(map[string]any)
						om, ok2 := o[i].(map[string]any)
						if ok1 && ok2 {
							n[i] = restoreEmptyObjects(nm, om)
						}
					}
				}
			}
		}
	}
	return out
}
