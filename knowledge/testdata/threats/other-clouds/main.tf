# Alibaba Cloud and Oracle Cloud: storage encryption, public access, open security rules.
resource "alicloud_oss_bucket" "site" { # want "CLOUD-ENC-001" "CLOUD-VER-001"
  bucket = "acme-site"
  acl    = "public-read" # want "CLOUD-PUB-001"
}

resource "alicloud_oss_bucket" "data" { # want "CLOUD-VER-001"
  bucket = "acme-data"
  server_side_encryption_rule {
    sse_algorithm = "KMS"
  }
}

resource "alicloud_security_group" "web" {
  name = "web"
}

resource "alicloud_security_group_rule" "ssh" {
  type              = "ingress"
  ip_protocol       = "tcp"
  port_range        = "22/22"
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = "0.0.0.0/0" # want "AWS-SG-001"
}

resource "alicloud_security_group_rule" "https" {
  type              = "ingress"
  ip_protocol       = "tcp"
  port_range        = "443/443"
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = "0.0.0.0/0"
}

resource "alicloud_db_instance" "orders" {
  engine           = "MySQL"
  engine_version   = "8.0"
  instance_type    = "rds.mysql.s1.small"
  instance_storage = 20
  security_ips     = ["10.0.0.0/8"]
  ssl_action       = "Open"
  tde_status       = "Enabled"
}

resource "oci_objectstorage_bucket" "exports" { # want "CLOUD-VER-001"
  compartment_id = "ocid1.compartment.oc1..x"
  name           = "exports"
  namespace      = "acme"
  access_type    = "ObjectRead" # want "CLOUD-PUB-001"
}

resource "oci_objectstorage_bucket" "backups" { # want "CLOUD-VER-001"
  compartment_id = "ocid1.compartment.oc1..x"
  name           = "backups"
  namespace      = "acme"
}

resource "oci_core_security_list" "web" {
  compartment_id = "ocid1.compartment.oc1..x"
  vcn_id         = "ocid1.vcn.oc1..x"
  ingress_security_rules {
    protocol = "6"
    source   = "0.0.0.0/0" # want "AWS-SG-002"
    tcp_options {
      min = 3389
      max = 3389
    }
  }
  ingress_security_rules {
    protocol = "6"
    source   = "10.0.0.0/16"
    tcp_options {
      min = 22
      max = 22
    }
  }
}

resource "oci_core_network_security_group_security_rule" "db" {
  network_security_group_id = "ocid1.networksecuritygroup.oc1..x"
  direction                 = "INGRESS"
  protocol                  = "6"
  source                    = "0.0.0.0/0" # want "AWS-SG-003"
  tcp_options {
    destination_port_range {
      min = 5432
      max = 5432
    }
  }
}

resource "oci_objectstorage_bucket" "history" {
  compartment_id = "ocid1.compartment.oc1..x"
  name           = "history"
  namespace      = "acme"
  versioning     = "Enabled"
}
