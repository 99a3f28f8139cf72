# The operator's image: `docker build -t pod-health-operator .`
#
# Build stage: the pinned toolchain (dev dependencies) compiles TypeScript; `npm pack` then selects exactly the files
# the package publishes (package.json "files": dist, crds, deploy), and a production install from the lockfile
# (`npm ci --omit=dev`, no install scripts) puts only the runtime dependencies beside them. test/image.test.ts
# repeats these steps into a temporary directory and runs the CLI from there.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY crds ./crds
COPY deploy ./deploy
RUN npm run build \
 && npm pack --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/pod-health-operator-*.tgz -C /app --strip-components=1 \
 && cp package-lock.json /app/ \
 && cd /app \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && chmod 0755 dist/cli.js

# Runtime stage: Node 24, the packed package and its production dependencies, owned by root and run as a numeric
# non-root user, so nothing the process runs as can change its own code (the Deployment adds a read-only root
# filesystem; the process writes nothing but its log to stdout).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
COPY --from=build /app /app
RUN ln -s /app/dist/cli.js /usr/local/bin/pod-health-operator \
 && ln -s /app/dist/cli.js /usr/local/bin/kubectl-podhealth
# 65532 is the conventional "nonroot" uid; the Deployment also sets runAsNonRoot.
USER 65532:65532
WORKDIR /app
EXPOSE 8080
# Exec form, no shell in between: SIGTERM from the kubelet reaches node itself (the shebang's `env` execs node, so
# node is PID 1), and `run` handles it: stop watches, drain, release the lease, exit 0. Node as PID 1 reaps no
# orphans, and the operator starts no child processes, so no init is needed.
ENTRYPOINT ["pod-health-operator"]
CMD ["run"]
