resource "alicloud_oss_bucket" "versioned" { # want-element alicloud_oss_bucket.versioned store
  bucket = "versioned"
  versioning {
    status = "Enabled" # want-attr alicloud_oss_bucket.versioned versioned=true(read)
  }
}

resource "oci_objectstorage_bucket" "keyed" { # want-element oci_objectstorage_bucket.keyed store
  name       = "keyed"
  namespace  = "acme"
  kms_key_id = "k"       # want-attr oci_objectstorage_bucket.keyed kms_managed_key=true(read)
  versioning = "Enabled" # want-attr oci_objectstorage_bucket.keyed versioned=true(read)
}

resource "oci_core_volume" "data" { # want-element oci_core_volume.data store
  compartment_id = "c"
  kms_key_id     = "k" # want-attr oci_core_volume.data kms_managed_key=true(read)
}
