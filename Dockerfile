# filmroom's processes (processors, projections, API) for docker-compose.yml.
FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc carries the install settings (onnxruntime-node's CPU binaries ship in the package).
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
RUN npm ci --omit=dev
COPY . .
USER node
ENTRYPOINT ["node", "bin/filmroom.js"]
CMD ["run"]
