// A stand-in for aws-sdk-go (v1) with the shapes from-code's typed path
// reads, so the v1 fixture builds offline: it is not the SDK.
module github.com/aws/aws-sdk-go

go 1.26.0
