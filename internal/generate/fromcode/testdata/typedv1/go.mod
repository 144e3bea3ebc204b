module example.com/typedv1

go 1.26.0

require github.com/aws/aws-sdk-go v1.55.0

replace github.com/aws/aws-sdk-go => ../fakesdkv1
