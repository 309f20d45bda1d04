# An API without authorizer (its method requires no authorization), throttled and behind a
# WAF through its stage; a private API; an HTTP API with a JWT authorizer.
resource "aws_api_gateway_rest_api" "public_api" { # want-element aws_api_gateway_rest_api.public_api component want-attr aws_api_gateway_rest_api.public_api technology="api-gateway"(read) internet_facing=true(defaulted) want-element aws_api_gateway_rest_api.public_api.internet flow want-element actor:internet actor want-attr aws_api_gateway_rest_api.public_api.internet protocol="https"(defaulted) port=443(defaulted) tls=true(defaulted)
  name = "orders-public"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.public_api.id
  parent_id   = aws_api_gateway_rest_api.public_api.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "get_orders" {
  rest_api_id   = aws_api_gateway_rest_api.public_api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "GET"
  authorization = "NONE" # want-attr aws_api_gateway_rest_api.public_api authenticates=false(read) want-attr aws_api_gateway_rest_api.public_api.internet authenticated=false(read)
}

resource "aws_api_gateway_integration" "get_orders" { # want-element aws_api_gateway_integration.get_orders flow want-attr aws_api_gateway_integration.get_orders protocol="https"(defaulted) tls=true(defaulted) authenticated=true(defaulted)
  rest_api_id             = aws_api_gateway_rest_api.public_api.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.get_orders.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.orders_api.invoke_arn
}

resource "aws_api_gateway_stage" "prod" { # want-element aws_api_gateway_stage.prod control
  rest_api_id   = aws_api_gateway_rest_api.public_api.id
  deployment_id = "abc123"
  stage_name    = "prod"
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.public_api.id
  stage_name  = aws_api_gateway_stage.prod.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = 100 # want-attr aws_api_gateway_rest_api.public_api rate_limited=true(read)
    throttling_burst_limit = 50
  }
}

resource "aws_wafv2_web_acl_association" "api" {
  resource_arn = aws_api_gateway_stage.prod.arn # want-attr aws_api_gateway_rest_api.public_api behind_waf=true(read)
  web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/abc"
}

resource "aws_api_gateway_rest_api" "internal" { # want-element aws_api_gateway_rest_api.internal component want-attr aws_api_gateway_rest_api.internal authenticates=false(defaulted) rate_limited=false(defaulted) behind_waf=false(defaulted)
  name = "internal"

  endpoint_configuration {
    types = ["PRIVATE"] # want-attr aws_api_gateway_rest_api.internal internet_facing=false(read)
  }
}

resource "aws_apigatewayv2_api" "partner" { # want-element aws_apigatewayv2_api.partner component want-attr aws_apigatewayv2_api.partner internet_facing=true(defaulted) rate_limited=false(defaulted) want-element aws_apigatewayv2_api.partner.internet flow
  name          = "partner"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_authorizer" "jwt" { # want-attr aws_apigatewayv2_api.partner authenticates=true(read) want-attr aws_apigatewayv2_api.partner.internet authenticated=true(read)
  api_id           = aws_apigatewayv2_api.partner.id
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]
  name             = "jwt"
}

resource "aws_apigatewayv2_integration" "thumbs" { # want-element aws_apigatewayv2_integration.thumbs flow
  api_id           = aws_apigatewayv2_api.partner.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.thumbs.invoke_arn
}

resource "aws_apigatewayv2_route" "thumbs" {
  api_id             = aws_apigatewayv2_api.partner.id
  route_key          = "GET /thumbs"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}
