# A public HTTP API with no authorizer, throttling, access log or web ACL: SYS-EDGE-001 asks
# what defends it, and its guidance shows the Terraform that adds an authorizer.
resource "aws_apigatewayv2_api" "public" {
  name          = "public"
  protocol_type = "HTTP"
}
