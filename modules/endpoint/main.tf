data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  endpoint_name = "${var.name_prefix}-${var.name}"
  provisioned   = var.shape == "provisioned"

  # Serverless inference supports neither a VPC, network isolation, data capture nor a second
  # variant (AWS documents these as unsupported features): those inputs apply to provisioned only.
  models = merge(
    { production = var.model },
    local.provisioned && var.shadow != null ? { shadow = var.shadow } : {},
  )
  # A model's name carries a digest of what it runs: a new image or artifact is a new model,
  # made before the old one goes (blue/green through a new endpoint configuration).
  model_names = {
    for variant, m in local.models : variant => "${local.endpoint_name}-${variant}-${substr(sha1(jsonencode([m.image, m.model_data_url, m.model_package_arn, m.environment, var.enable_network_isolation, var.shape])), 0, 8)}"
  }
  capture_uri = "s3://${var.model_bucket}/${var.data_capture.prefix}/${local.endpoint_name}"

  # Images: the repository of each configured image, and its registry account, which must be this
  # account or an allowed (by default AWS-owned) registry.
  image_pattern = "^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/([a-z0-9][a-z0-9._/-]*)([:@].+)?$"
  images        = { for variant, m in local.models : variant => m.image if m.image != null }
  image_parts   = { for variant, image in local.images : variant => try(regex(local.image_pattern, image), null) }
  image_repository_arns = sort(distinct(concat(
    [for parts in values(local.image_parts) : "arn:${local.partition}:ecr:${parts[1]}:${parts[0]}:repository/${parts[3]}" if parts != null],
    var.extra_image_repository_arns,
  )))
  allowed_registries = concat([local.account_id], var.allowed_image_registries != null ? var.allowed_image_registries : module.aws_registries.account_ids)
  foreign_images     = [for variant, parts in local.image_parts : "${variant} (${local.images[variant]})" if parts == null || !contains(local.allowed_registries, try(parts[0], ""))]

  # What the model's role reads: the directory of each configured model, and the given prefixes.
  model_data_keys     = [for m in values(local.models) : regex("^s3://[^/]+/(.+)$", m.model_data_url)[0] if m.model_data_url != null]
  model_data_prefixes = sort(distinct(concat([for key in local.model_data_keys : "${dirname(key)}/"], var.model_data_prefixes)))

  # SageMaker refuses a volume key when any variant's instance type has local NVMe storage.
  instance_types = local.provisioned ? concat([var.instance_type], [for s in [var.shadow] : coalesce(s.instance_type, var.instance_type) if s != null]) : []
  local_storage  = [for t in local.instance_types : t if contains(module.instance_storage.local_storage_families, split(".", t)[1])]
  volume_kms_key = length(local.local_storage) == 0 || var.force_volume_kms_key ? var.volumes_kms_key_arn : null

  # Under autoscaling, an endpoint configuration Terraform replaces (a model change) starts at the
  # most instances, not the fewest: UpdateEndpoint without RetainAllVariantProperties takes the new
  # configuration's count, and the provider cannot retain it, so starting at min_capacity would drop
  # capacity under load. Autoscaling scales in again after its scale-in cooldown.
  initial_instance_count = !local.provisioned ? null : (var.autoscaling.enabled && !var.models_promoted ? var.autoscaling.max_capacity : var.autoscaling.min_capacity)
}

module "instance_storage" {
  source = "../_instance_storage"
}

module "aws_registries" {
  source = "../_image_registries"
  region = local.region
}

# --- The role the models run as ------------------------------------------------------------------

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "model" {
  statement {
    sid       = "ReadModelData"
    actions   = ["s3:GetObject"]
    resources = [for prefix in local.model_data_prefixes : "arn:${local.partition}:s3:::${var.model_bucket}/${prefix}*"]
  }
  statement {
    sid       = "WriteCapturedData"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${var.model_bucket}/${var.data_capture.prefix}/${local.endpoint_name}/*"]
  }
  statement {
    sid       = "ModelsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.models_kms_key_arn, var.volumes_kms_key_arn]
  }
  # Exactly the repositories of the configured images (and the named extra ones).
  dynamic "statement" {
    for_each = length(local.image_repository_arns) > 0 ? [1] : []
    content {
      sid       = "PullTheConfiguredImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = local.image_repository_arns
    }
  }
  # GetAuthorizationToken and PutMetricData have no resource-level permissions.
  statement {
    sid       = "RegistryTokenAndMetrics"
    actions   = ["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"]
    resources = ["*"]
  }
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${local.endpoint_name}:*"]
  }
  dynamic "statement" {
    for_each = local.provisioned ? [1] : []
    content {
      sid       = "NetworkInterfacesInThePrivateSubnets"
      actions   = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
      resources = concat(["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"], [for s in var.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${s}"], [for g in var.security_group_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/${g}"])
    }
  }
  dynamic "statement" {
    for_each = local.provisioned ? [1] : []
    content {
      sid       = "DescribeTheNetwork"
      actions   = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "model" {
  name               = "${local.endpoint_name}-model"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length(local.foreign_images) == 0
      error_message = "var.model / var.shadow image: ${join(", ", local.foreign_images)} is not an ECR image of this account (${local.account_id}) or of var.allowed_image_registries (default: the region's AWS-owned SageMaker registries, ${join(", ", module.aws_registries.account_ids)}); in env.hcl: endpoint.image and endpoint.shadow.image."
    }
    precondition {
      condition     = var.allowed_image_registries != null || module.aws_registries.known
      error_message = "var.allowed_image_registries: modules/_image_registries knows no AWS-owned SageMaker registries for ${local.region}; name the registries the endpoint's images may come from."
    }
  }
}

resource "aws_iam_role_policy" "model" {
  name   = "serve"
  role   = aws_iam_role.model.name
  policy = data.aws_iam_policy_document.model.json
}

resource "aws_iam_role_policy_attachment" "guardrails" {
  count = length(var.guardrail_policy_arns)

  role       = aws_iam_role.model.name
  policy_arn = var.guardrail_policy_arns[count.index]
}

# --- Models, configuration, endpoint ----------------------------------------------------------------

resource "aws_sagemaker_model" "this" {
  for_each = local.models

  name                     = local.model_names[each.key]
  execution_role_arn       = aws_iam_role.model.arn
  enable_network_isolation = var.enable_network_isolation

  primary_container {
    image              = each.value.image
    model_data_url     = each.value.model_data_url
    model_package_name = each.value.model_package_arn
    environment        = each.value.environment
  }

  dynamic "vpc_config" {
    for_each = local.provisioned ? [1] : []
    content {
      subnets            = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  # The guardrails and the enforcer exempt a model from the VPC rule only with this tag, and
  # only where the environment allows serverless inference.
  tags = merge(var.tags, local.provisioned ? {} : { "smenv:inference" = "serverless" })

  lifecycle {
    create_before_destroy = true
    precondition {
      condition     = local.provisioned || !var.enable_network_isolation
      error_message = "var.enable_network_isolation must be false with var.shape = \"serverless\": serverless inference does not support network isolation."
    }
    precondition {
      condition     = !local.provisioned || length(var.subnet_ids) > 0 && length(var.security_group_ids) > 0
      error_message = "var.subnet_ids and var.security_group_ids are required with var.shape = \"provisioned\": the models run in the VPC."
    }
    precondition {
      condition     = local.provisioned || var.shadow == null
      error_message = "var.shadow must be null with var.shape = \"serverless\": serverless endpoints have one variant."
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  name_prefix = "${local.endpoint_name}-"
  kms_key_arn = local.volume_kms_key
  tags        = var.tags

  production_variants {
    variant_name = "production"
    model_name   = aws_sagemaker_model.this["production"].name
    # 100, so a shadow's weight is its sampling percentage: whole numbers survive the float32
    # that SageMaker keeps weights in (0.2 would read back as 0.20000000298 and plan forever).
    initial_variant_weight = 100
    initial_instance_count = local.initial_instance_count
    instance_type          = local.provisioned ? var.instance_type : null

    dynamic "serverless_config" {
      for_each = local.provisioned ? [] : [1]
      content {
        memory_size_in_mb = var.serverless.memory_size_in_mb
        max_concurrency   = var.serverless.max_concurrency
      }
    }
  }

  # A shadow variant receives its weight's share of production's requests (weight 0.1 = 10 %);
  # its answers are captured, never returned to the caller.
  dynamic "shadow_production_variants" {
    for_each = contains(keys(local.models), "shadow") ? [var.shadow] : []
    content {
      variant_name           = "shadow"
      model_name             = aws_sagemaker_model.this["shadow"].name
      initial_variant_weight = shadow_production_variants.value.sampling_percentage
      initial_instance_count = 1
      instance_type          = coalesce(shadow_production_variants.value.instance_type, var.instance_type)
    }
  }

  dynamic "data_capture_config" {
    for_each = local.provisioned && var.data_capture.enabled ? [1] : []
    content {
      enable_capture              = true
      initial_sampling_percentage = var.data_capture.sampling_percentage
      destination_s3_uri          = local.capture_uri
      kms_key_id                  = var.models_kms_key_arn

      capture_options {
        capture_mode = "Input"
      }
      capture_options {
        capture_mode = "Output"
      }
      capture_content_type_header {
        csv_content_types  = ["text/csv"]
        json_content_types = ["application/json"]
      }
    }
  }

  lifecycle {
    create_before_destroy = true
    precondition {
      condition     = !(var.force_volume_kms_key && length(local.local_storage) > 0)
      error_message = "var.force_volume_kms_key is true, but ${join(", ", local.local_storage)} (var.instance_type / var.shadow.instance_type) has local NVMe instance storage: SageMaker refuses a volume KMS key there (a hardware module encrypts it). Leave var.force_volume_kms_key false, or choose a type with EBS storage."
    }
  }
}

# Terraform owns the endpoint's configuration, unless models reach it through
# tools/promote_model.py (var.models_promoted): then Terraform creates the endpoint with the
# configured model once and leaves later configurations to the tool, so an apply never rolls a
# promoted model back. A lifecycle cannot be conditional, hence two resources, one of them made.
resource "aws_sagemaker_endpoint" "this" {
  count = var.models_promoted ? 0 : 1

  name                 = local.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
  tags                 = var.tags
}

resource "aws_sagemaker_endpoint" "promoted" {
  count = var.models_promoted ? 1 : 0

  name                 = local.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
  tags                 = var.tags

  lifecycle {
    ignore_changes = [endpoint_config_name]
  }
}

moved {
  from = aws_sagemaker_endpoint.this
  to   = aws_sagemaker_endpoint.this[0]
}

locals {
  endpoint = one(concat(aws_sagemaker_endpoint.this, aws_sagemaker_endpoint.promoted))
}

# --- Autoscaling (provisioned) -------------------------------------------------------------------------

resource "aws_appautoscaling_target" "production" {
  count = local.provisioned && var.autoscaling.enabled ? 1 : 0

  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${local.endpoint.name}/variant/production"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = var.autoscaling.min_capacity
  max_capacity       = var.autoscaling.max_capacity
  tags               = var.tags
}

resource "aws_appautoscaling_policy" "invocations" {
  count = local.provisioned && var.autoscaling.enabled ? 1 : 0

  name               = "${local.endpoint_name}-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.production[0].service_namespace
  resource_id        = aws_appautoscaling_target.production[0].resource_id
  scalable_dimension = aws_appautoscaling_target.production[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_invocations_per_instance
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown
    scale_out_cooldown = var.autoscaling.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}

# --- Alarms ----------------------------------------------------------------------------------------------

locals {
  alarms = merge(
    {
      errors-5xx  = { namespace = "AWS/SageMaker", metric = "Invocation5XXErrors", statistic = "Sum", extended = null, threshold = var.alarm_thresholds.errors_5xx, text = "the model answered with 5XX errors" }
      latency-p99 = { namespace = "AWS/SageMaker", metric = "ModelLatency", statistic = null, extended = "p99", threshold = var.alarm_thresholds.model_latency_p99_us, text = "p99 model latency is above its threshold (microseconds)" }
    },
    local.provisioned ? {
      cpu    = { namespace = "/aws/sagemaker/Endpoints", metric = "CPUUtilization", statistic = "Average", extended = null, threshold = var.alarm_thresholds.cpu_utilization, text = "CPU utilisation of the instances is high" }
      memory = { namespace = "/aws/sagemaker/Endpoints", metric = "MemoryUtilization", statistic = "Average", extended = null, threshold = var.alarm_thresholds.memory_utilization, text = "memory utilisation of the instances is high" }
    } : {},
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${local.endpoint_name}-${each.key}"
  alarm_description   = "SageMaker endpoint ${local.endpoint_name}: ${each.value.text}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  dimensions          = { EndpointName = local.endpoint.name, VariantName = "production" }
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  ok_actions          = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags                = var.tags
}
