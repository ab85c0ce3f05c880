// awsguard with every policy on (advisory), so each one reports what it finds.
const { AwsGuard } = require("@pulumi/awsguard");

new AwsGuard({ all: "advisory" });
