# Reads what aws.rds.getInstance does not return about the blue/green source: read replicas, whether its parameter
# group is applied, the group's rds.logical_replication, and a few settings the import must mirror. Read-only
# (rds:DescribeDBInstances, rds:DescribeDBParameters); runs during `pulumi preview` too. Prints one JSON document.
# Input (environment only): TJ_SOURCE_ID, TJ_PARAMETER_GROUP; AWS_REGION / AWS_PROFILE from the stack.
set -eu
instance=$(aws rds describe-db-instances --db-instance-identifier "$TJ_SOURCE_ID" --output json \
  --query 'DBInstances[0].{readReplicas:ReadReplicaDBInstanceIdentifiers,parameterGroups:DBParameterGroups[].{name:DBParameterGroupName,status:ParameterApplyStatus},deletionProtection:DeletionProtection,copyTagsToSnapshot:CopyTagsToSnapshot,iamDatabaseAuthenticationEnabled:IAMDatabaseAuthenticationEnabled,performanceInsightsEnabled:PerformanceInsightsEnabled}')
parameters=$(aws rds describe-db-parameters --db-parameter-group-name "$TJ_PARAMETER_GROUP" --output json \
  --query "Parameters[?ParameterName=='rds.logical_replication'].{name:ParameterName,value:ParameterValue}")
printf '{"instance":%s,"parameters":%s}\n' "$instance" "$parameters"
