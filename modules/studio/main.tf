data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# Every resource here names the region: the inputs' cross-checks sit on it, so that a team without a
# role or a group stops the plan before anything is planned, with one message naming the variable.
data "aws_region" "current" {
  lifecycle {
    precondition {
      condition     = length(local.missing_roles) == 0
      error_message = "var.execution_role_arns has no execution role for team(s) ${join(", ", local.missing_roles)}: every team in var.teams needs its own (modules/notebook execution_role_arns)."
    }
    precondition {
      condition     = length(local.missing_group) == 0
      error_message = "var.team_security_group_ids has no security group for team(s) ${join(", ", local.missing_group)}: every team in var.teams needs its own (modules/network team_security_group_ids)."
    }
  }
}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  sagemaker_arn = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"

  # Per team: its profile and private space (names within the domain), its role and group. SageMaker
  # ARNs name the domain, whose id AWS assigns: policies name it "*" so that the plan shows them whole
  # (the access matrix reads them there), and a team's names (var.teams checks no team's "<team>-"
  # covers another's) keep each team to its own.
  teams = {
    for team in var.teams : team => {
      profile = "${team}-studio"
      space   = "${team}-private"
      role    = lookup(var.execution_role_arns, team, "")
      group   = lookup(var.team_security_group_ids, team, "")
    }
  }
  profile_arns = { for team, t in local.teams : team => "${local.sagemaker_arn}:user-profile/*/${t.profile}" }
  space_arns   = { for team, t in local.teams : team => "${local.sagemaker_arn}:space/*/${team}-*" }
  app_arns     = { for team, t in local.teams : team => "${local.sagemaker_arn}:app/*/${team}-*/*" }

  missing_roles = [for team in var.teams : team if local.teams[team].role == ""]
  missing_group = [for team in var.teams : team if local.teams[team].group == ""]

  retain = var.retain_home_file_system
  idle   = var.idle_minutes > 0

  # The apps whose lifecycle this module manages (idle shutdown, lifecycle configuration).
  apps = { JupyterLab = "jupyterlab", CodeEditor = "code-editor" }
}

# --- Lifecycle configurations: from the repository, run at each app's start ----------------------
#
# The script is modules/studio/lifecycle/app-start.sh (it fetches nothing). Its names start with
# <name_prefix>-, which the guardrails approve (sagemaker:StudioLifecycleConfigArns) and only the
# deployers may write; the domain makes them the default and the only ones its users may pick.

resource "aws_sagemaker_studio_lifecycle_config" "app" {
  for_each = local.apps

  studio_lifecycle_config_name     = "${var.name_prefix}-studio-${each.value}"
  studio_lifecycle_config_app_type = each.key
  studio_lifecycle_config_content = base64encode(templatefile("${path.module}/lifecycle/app-start.sh", {
    app              = each.key
    region           = local.region
    parameter_prefix = coalesce(var.parameter_prefix, "")
  }))
  tags = var.tags
}

# --- A domain per team: VpcOnly, IAM auth, the team's role and group, the volumes key -------------
#
# A domain's home file system (EFS) is shared by every user of the domain, and SageMaker opens NFS
# between the domain's apps and its mount targets itself (API Reference, UserSettings.SecurityGroups):
# within one domain, a team's security group cannot keep another team's apps from the file system,
# and NFS trusts the user id a client asserts (EFS User Guide, "Security considerations for network
# access"). So each team has its own domain: its own file system, reachable from its own apps only
# (SageMaker's NFS groups are per domain), and default settings that are the team's own role and
# group. Each domain counts against the account's SageMaker domain quota (Service Quotas).

resource "aws_sagemaker_domain" "team" {
  for_each = local.teams

  domain_name = "${var.name_prefix}-${each.key}-studio"
  auth_mode   = "IAM"
  # Every app's traffic through the VPC: its endpoints, its DNS Firewall, no internet.
  app_network_access_type = var.app_network_access_type
  vpc_id                  = var.vpc_id
  subnet_ids              = var.subnet_ids
  # The home file system (EFS) and the apps' volumes, under the environment's volumes key.
  kms_key_id = var.kms_key_arns["volumes"]
  # The domain's tags stay on the domain: propagated, Terraform's managed-by tag would mark what users
  # make in Studio as Terraform's (tools/sweep.py and the enforcer leave such resources alone).
  tag_propagation = "DISABLED"
  tags            = var.tags

  domain_settings {
    # Every call a user's apps make carries the profile's name as sts:SourceIdentity (CloudTrail).
    execution_role_identity_config = "USER_PROFILE_NAME"
    # No security_group_ids: they connect domain-level apps (RStudio, not enabled here); the
    # profile and the defaults name the team's group.
    docker_settings {
      enable_docker_access = "DISABLED"
    }
  }

  default_user_settings {
    execution_role      = each.value.role
    security_groups     = [each.value.group]
    studio_web_portal   = "ENABLED"
    default_landing_uri = "studio::"

    jupyter_lab_app_settings {
      lifecycle_config_arns = [aws_sagemaker_studio_lifecycle_config.app["JupyterLab"].arn]
      default_resource_spec {
        instance_type        = var.instance_type
        lifecycle_config_arn = aws_sagemaker_studio_lifecycle_config.app["JupyterLab"].arn
      }
      app_lifecycle_management {
        idle_settings {
          lifecycle_management        = local.idle ? "ENABLED" : "DISABLED"
          idle_timeout_in_minutes     = local.idle ? var.idle_minutes : null
          min_idle_timeout_in_minutes = local.idle ? 60 : null
          max_idle_timeout_in_minutes = local.idle ? var.idle_minutes : null
        }
      }
    }

    code_editor_app_settings {
      lifecycle_config_arns = [aws_sagemaker_studio_lifecycle_config.app["CodeEditor"].arn]
      default_resource_spec {
        instance_type        = var.instance_type
        lifecycle_config_arn = aws_sagemaker_studio_lifecycle_config.app["CodeEditor"].arn
      }
      app_lifecycle_management {
        idle_settings {
          lifecycle_management        = local.idle ? "ENABLED" : "DISABLED"
          idle_timeout_in_minutes     = local.idle ? var.idle_minutes : null
          min_idle_timeout_in_minutes = local.idle ? 60 : null
          max_idle_timeout_in_minutes = local.idle ? var.idle_minutes : null
        }
      }
    }

    # Studio Classic's notebook sharing copies notebooks and their outputs to S3: off.
    sharing_settings {
      notebook_output_option = "Disabled"
    }
  }

  retention_policy {
    home_efs_file_system = local.retain ? "Retain" : "Delete"
  }
}

# --- Per team: a profile and a private space, in its role and its group ------------------------

resource "aws_sagemaker_user_profile" "team" {
  for_each = local.teams

  domain_id         = aws_sagemaker_domain.team[each.key].id
  user_profile_name = each.value.profile
  tags              = var.tags

  user_settings {
    execution_role  = each.value.role
    security_groups = [each.value.group]
  }
}

resource "aws_sagemaker_space" "team" {
  for_each = local.teams

  domain_id  = aws_sagemaker_domain.team[each.key].id
  space_name = each.value.space
  tags       = var.tags

  ownership_settings {
    owner_user_profile_name = aws_sagemaker_user_profile.team[each.key].user_profile_name
  }

  space_sharing_settings {
    sharing_type = "Private"
  }

  space_settings {
    app_type = "JupyterLab"
    jupyter_lab_app_settings {
      default_resource_spec {
        instance_type        = var.instance_type
        lifecycle_config_arn = aws_sagemaker_studio_lifecycle_config.app["JupyterLab"].arn
      }
    }
  }
}

# --- What Studio does with a team's role ---------------------------------------------------------
#
# In Studio the user acts as the profile's execution role: the Studio UI starts and stops the apps of
# the user's spaces with it (SageMaker Developer Guide, "Give your users access to spaces"). Each
# team's role (made by modules/notebook) gets that for its own private spaces and their apps only.

data "aws_iam_policy_document" "team_studio" {
  for_each = local.teams

  statement {
    sid       = "DescribeTheDomain"
    actions   = ["sagemaker:DescribeDomain"]
    resources = ["${local.sagemaker_arn}:domain/*"]
  }
  statement {
    sid       = "DescribeItsProfile"
    actions   = ["sagemaker:DescribeUserProfile"]
    resources = [local.profile_arns[each.key]]
  }
  statement {
    sid       = "DescribeItsSpaces"
    actions   = ["sagemaker:DescribeSpace"]
    resources = [local.space_arns[each.key]]
  }
  statement {
    sid       = "DescribeItsApps"
    actions   = ["sagemaker:DescribeApp"]
    resources = [local.app_arns[each.key]]
  }
  # These have no resource-level permissions.
  statement {
    sid       = "ListStudio"
    actions   = ["sagemaker:ListApps", "sagemaker:ListDomains", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"]
    resources = ["*"]
  }
  # Private spaces only, owned by the team's profile (sagemaker:OwnerUserProfileArn, SpaceSharingType).
  statement {
    sid       = "ManageItsPrivateSpaces"
    actions   = ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"]
    resources = [local.space_arns[each.key]]
    condition {
      test     = "ArnLike"
      variable = "sagemaker:OwnerUserProfileArn"
      values   = [local.profile_arns[each.key]]
    }
    condition {
      test     = "StringEquals"
      variable = "sagemaker:SpaceSharingType"
      values   = ["Private"]
    }
  }
  statement {
    sid       = "RunAppsInItsPrivateSpaces"
    actions   = ["sagemaker:CreateApp", "sagemaker:DeleteApp"]
    resources = [local.app_arns[each.key]]
    condition {
      test     = "ArnLike"
      variable = "sagemaker:OwnerUserProfileArn"
      values   = [local.profile_arns[each.key]]
    }
    condition {
      test     = "StringEquals"
      variable = "sagemaker:SpaceSharingType"
      values   = ["Private"]
    }
  }
  # Studio tags what it creates (sagemaker:TaggingAction names the create): only then.
  statement {
    sid       = "TagItsSpacesAndAppsOnCreate"
    actions   = ["sagemaker:AddTags"]
    resources = [local.space_arns[each.key], local.app_arns[each.key]]
    condition {
      test     = "Null"
      variable = "sagemaker:TaggingAction"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role_policy" "team_studio" {
  for_each = local.teams

  name   = "studio"
  role   = regex("[^/]+$", each.value.role)
  policy = data.aws_iam_policy_document.team_studio[each.key].json
}

# --- The policy people attach to open their team's Studio -----------------------------------------
#
# JupyterLab's download moves anything the space can read to the machine whose browser opened it. The
# presigned URL that opens the team's profile is granted only through the environment's SageMaker API
# and Studio endpoints (a person on the VPN or Direct Connect: SageMaker Developer Guide, "Connect to
# Studio through an interface VPC endpoint", aws:SourceVpce on CreatePresignedDomainUrl, which is
# checked again when the URL is opened) or from the named console networks; denied from anywhere
# else and for any other profile, even where the person holds broader rights. Published in the
# contract: teams/<team>/studio_user_policy_arn.

# The team's profile through the endpoints (or the console networks) only (modules/_browser_access).
module "studio_browser_access" {
  source   = "../_browser_access"
  for_each = local.teams

  subject          = "TheTeamsStudio"
  open_actions     = ["sagemaker:CreatePresignedDomainUrl"]
  resources        = [local.profile_arns[each.key]]
  deny_actions     = ["sagemaker:CreatePresignedDomainUrl"]
  deny_sid         = "DenyOpeningStudioFromElsewhere"
  vpc_endpoint_ids = values(var.presigned_url_vpc_endpoint_ids)
  console_cidrs    = var.allowed_console_cidrs
}

data "aws_iam_policy_document" "studio_user" {
  for_each = local.teams

  source_policy_documents = [module.studio_browser_access[each.key].json]

  statement {
    sid       = "DescribeTheTeamsProfile"
    actions   = ["sagemaker:DescribeUserProfile"]
    resources = [local.profile_arns[each.key]]
  }
  statement {
    sid       = "DescribeTheDomain"
    actions   = ["sagemaker:DescribeDomain"]
    resources = ["${local.sagemaker_arn}:domain/*"]
  }
  statement {
    sid       = "ListStudio"
    actions   = ["sagemaker:ListDomains", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"]
    resources = ["*"]
  }
  # Another team's profile runs as that team's role, in that team's group: never, whatever else the
  # person holds (a person of two teams uses a role per team).
  statement {
    sid           = "DenyOpeningAnotherProfile"
    effect        = "Deny"
    actions       = ["sagemaker:CreatePresignedDomainUrl"]
    not_resources = [local.profile_arns[each.key]]
  }
}

resource "aws_iam_policy" "studio_user" {
  for_each = local.teams

  name        = "${var.name_prefix}-${each.key}-studio-user"
  description = "Attach to the people of team ${each.key}: open its Studio profile, through the environment's endpoints (or the console networks) only."
  policy      = data.aws_iam_policy_document.studio_user[each.key].json
  tags        = var.tags
}
