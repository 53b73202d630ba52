# HomeIQ Sources: production image. `homeiq` runs one esbuild bundle of the TypeScript sources and
# their dependencies (.build/cli.cjs), built here so the container starts without building.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The sources are not here yet: npm's prepare (the build) runs in the final stage instead.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOMEIQ_CONFIG=/app/config/sources.yaml \
    PORT=8010
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY core ./core
COPY plugins ./plugins
COPY config ./config
RUN node core/cli/build.mjs
# .build is the node user's: the first start writes V8's code cache of the bundle there (cli.cjs.v8-cache).
RUN mkdir -p /app/data && chown -R node:node /app/data /app/.build
USER node
VOLUME ["/app/config", "/app/data"]
EXPOSE 8010
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8010)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# As `npm start`: one malloc arena, freed memory handed back to the system sooner (README
# "Performance and resilience").
ENV MALLOC_ARENA_MAX=1 \
    MALLOC_TRIM_THRESHOLD_=65536
CMD ["node", "core/cli/bin.mjs", "start"]
