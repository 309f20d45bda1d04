# fix: . {"op":"replace","path":"apt_recommends","old":"apt-get install","new":"apt-get install --no-install-recommends"}
FROM debian:12.7
RUN apt-get update \
 && apt-get install -y ca-certificates \
 && apt-get install --no-install-recommends -y tini; apt-get install -y curl
