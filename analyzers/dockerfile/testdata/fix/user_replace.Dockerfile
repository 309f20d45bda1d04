# fix: . {"op":"set","path":"USER","value":"10001"}
FROM debian:12.7 AS base
USER root
FROM base
RUN echo hi
CMD ["bash"]
