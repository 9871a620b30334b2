# filmroom's processes (processors, projections, API) for docker-compose.yml.

# The dashboard the API serves at `/` (web/dist): built here with the devDependencies it needs
# (Vite, Preact), of which only the built files go on to the image. Scripts are skipped: the
# install needs no model runtime or patch to run Vite, and the build is asked for by name.
FROM node:24-bookworm-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY web ./web
RUN npm ci --ignore-scripts && npm run web:build

FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc carries the install settings (onnxruntime-node's CPU binaries ship in the package).
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
# Without devDependencies, and before web/ is copied: the postinstall builds no dashboard here.
RUN npm ci --omit=dev
COPY . .
COPY --from=dashboard /app/web/dist ./web/dist
USER node
ENTRYPOINT ["node", "bin/filmroom.js"]
CMD ["run"]
