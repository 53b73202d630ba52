# HomeIQ Sources: production image. `npm start` and this image run the same built program,
# dist/homeiq.mjs (one esbuild bundle of the sources and their dependencies), with plain node.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The sources are not here yet: the build runs below, once they are.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY core ./core
COPY plugins ./plugins
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOMEIQ_CONFIG=/app/config/sources.yaml \
    PORT=8010
WORKDIR /app
# node_modules: tsx for TypeScript drop-in plugins, and npm packages a config names as plugins.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY core ./core
COPY plugins ./plugins
COPY config ./config
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/config", "/app/data"]
EXPOSE 8010
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8010)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/homeiq.mjs", "start"]
