//! `tuneforge review`: the review page over the workspace's captures, until Ctrl-C.

use anyhow::{Context as _, Result};
use tuneforge_core::layout::{RAW_INTERACTIONS, RAW_REVIEWS};
use tuneforge_proxy::review::{ReviewOptions, ReviewServer, new_token};

use super::Context;
use crate::cli::ReviewArgs;
use crate::exit::Exit;

pub fn review(ctx: &Context, args: ReviewArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let options = ReviewOptions {
        listen: args.listen,
        interactions: ws.path(RAW_INTERACTIONS),
        reviews: ws.path(RAW_REVIEWS),
        domains: ws
            .config
            .domains
            .names()
            .iter()
            .map(|d| d.to_string())
            .collect(),
        token: new_token()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the review server's runtime")?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let _ = ctrlc::set_handler(move || {
        if stop.send_replace(true) {
            std::process::exit(130);
        }
    });
    runtime.block_on(async move {
        let server = ReviewServer::bind(options).await?;
        eprintln!(
            "tuneforge review: {}\n  open it in a browser (decisions go to {RAW_REVIEWS}); Ctrl-C stops",
            server.url()
        );
        server
            .serve(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await?;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(Exit::Success)
}
