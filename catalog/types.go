// Package catalog is AWS's Service Authorization Reference, embedded: every
// service, action (with access levels, resource types, condition keys and
// dependent actions), resource type (with ARN templates) and condition key
// (with its type). Load it once with Default(); every lookup after that is
// an index lookup.
package catalog

// AccessLevel is an action's access level as the reference names it.
type AccessLevel string

const (
	List                  AccessLevel = "List"
	Read                  AccessLevel = "Read"
	Write                 AccessLevel = "Write"
	PermissionsManagement AccessLevel = "Permissions management"
	Tagging               AccessLevel = "Tagging"
)

// KeyType is a condition key's type.
type KeyType string

const (
	TypeString         KeyType = "String"
	TypeARN            KeyType = "ARN"
	TypeNumeric        KeyType = "Numeric"
	TypeDate           KeyType = "Date"
	TypeBool           KeyType = "Bool"
	TypeIPAddress      KeyType = "IPAddress"
	TypeBinary         KeyType = "Binary"
	TypeArrayOfString  KeyType = "ArrayOfString"
	TypeArrayOfARN     KeyType = "ArrayOfARN"
	TypeArrayOfNumeric KeyType = "ArrayOfNumeric"
	TypeArrayOfDate    KeyType = "ArrayOfDate"
	TypeArrayOfBool    KeyType = "ArrayOfBool"
	TypeArrayOfIP      KeyType = "ArrayOfIPAddress"
	TypeArrayOfBinary  KeyType = "ArrayOfBinary"
)

// IsArray reports whether the key is multivalued (an ArrayOf type).
func (t KeyType) IsArray() bool { return len(t) > 7 && t[:7] == "ArrayOf" }

// Elem is the element type of an ArrayOf type (the type itself otherwise).
func (t KeyType) Elem() KeyType {
	if t.IsArray() {
		return t[7:]
	}
	return t
}

// ActionID is an action's dense index in the catalog: 0..NumActions-1,
// stable for one embedded data set (sorted by service prefix, then name).
type ActionID int32

// Service is one AWS service (an IAM service prefix).
type Service struct {
	Prefix        string // e.g. "s3"
	Name          string // e.g. "Amazon S3"
	ResourceTypes []*ResourceType

	cat     *Catalog
	index   int             // in cat.services
	keysOff int             // the service's key list in cat.data
	keys    []*ConditionKey // filled by Catalog.decodeKeys
}

// ConditionKeys returns the service's condition keys. They are decoded,
// for every service at once, the first time any key is asked for.
func (s *Service) ConditionKeys() []*ConditionKey {
	s.cat.rawKeys()
	return s.keys
}

// Actions returns the service's actions in ActionID order (by name). They
// are decoded the first time any of them is asked for.
func (s *Service) Actions() []*Action { return s.cat.serviceActions(s.index) }

// Action is one IAM action.
type Action struct {
	ID               ActionID
	Service          *Service
	Name             string // canonical case, e.g. "GetObject"
	Description      string
	AccessLevels     []AccessLevel // one or more
	Resources        []ActionResource
	ConditionKeys    []string // keys the action supports (canonical case)
	DependentActions []string // e.g. "kms:Decrypt"
}

// FullName is "prefix:Name", e.g. "s3:GetObject".
func (a *Action) FullName() string { return a.Service.Prefix + ":" + a.Name }

// ActionResource is a resource type an action can act on.
type ActionResource struct {
	Type     *ResourceType // nil for the "*" (no resource-level permissions) case
	Name     string        // resource type name, e.g. "object"
	Required bool

	// ConditionKeys are the keys the reference lists for this action on this
	// resource type (e.g. ec2:InstanceType for RunInstances on instance).
	ConditionKeys []string
	// DependentActions are actions also needed when acting on this type.
	DependentActions []string
}

// ResourceType is a resource type of a service.
type ResourceType struct {
	Service       *Service
	Name          string   // e.g. "object"
	ARNTemplates  []string // e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
	ConditionKeys []string

	index int // among all the catalog's resource types, in catalog order
}

// ConditionKey is a service or global condition key.
type ConditionKey struct {
	Name        string // canonical case; templated keys keep their template, e.g. "aws:RequestTag/${TagKey}"
	Type        KeyType
	Description string
	Templated   bool
}
