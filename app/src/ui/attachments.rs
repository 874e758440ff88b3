//! Files with a request or a reply: each uploads as soon as it is picked (so a large file is
//! refused before anything is typed in vain), and the form sends the uploads' tokens.

use super::format::file_size;
use crate::{
    api::uploads::upload_attachment,
    model::{Attachment, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Upload, too_large_message},
};
use leptos::{lazy, prelude::*, task::spawn_local, wasm_split::SplitLoaderError};

/// The files of one form: uploaded, and still uploading.
#[derive(Clone, Copy)]
pub struct Attachments {
    uploads: RwSignal<Vec<Upload>>,
    uploading: RwSignal<usize>,
    /// Picks waiting for the uploader's code to download.
    starting: RwSignal<usize>,
}

impl Attachments {
    pub fn new() -> Self {
        Self { uploads: RwSignal::new(Vec::new()), uploading: RwSignal::new(0), starting: RwSignal::new(0) }
    }

    /// True while a file is on its way: the form waits for it.
    pub fn busy(self) -> bool {
        self.uploading.get() + self.starting.get() > 0
    }

    /// After the message is sent, the picker starts empty.
    pub fn clear(self) {
        self.uploads.set(Vec::new());
    }

    pub fn tokens(self) -> String {
        self.uploads.read().iter().map(|upload| upload.token.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// The file picker, the files uploaded so far (each removable) and any refusal. Its hidden
/// `attachments` field carries the tokens with the form.
#[component]
pub fn AttachmentPicker(files: Attachments, id: &'static str) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    let picked = move |_| {
        let Some(input) = input.get() else { return };
        let Some(chosen) = input.files() else { return };
        error.set(None);
        // Busy from the pick, so the form waits while the uploader itself downloads.
        files.starting.update(|count| *count += 1);
        spawn_local(async move {
            if upload(files, error, chosen).await.is_err() {
                error.set(Some("The uploader did not download. Check your connection, then pick the files again.".into()));
            }
            files.starting.update(|count| *count -= 1);
            // Emptied, so the same file can be picked again after it is removed.
            input.set_value("");
        });
    };
    let hint = format!("{id}-hint");
    view! {
        <div class="field attachments">
            <input type="hidden" name="attachments" prop:value=move || files.tokens() />
            <label for=id>"Attachments (optional)"</label>
            <input id=id type="file" multiple node_ref=input on:change=picked aria-describedby=hint.clone() />
            <p id=hint class="field__hint">
                {format!("Screenshots, invoices, logs: up to {MAX_ATTACHMENTS} files, {} MB each.", MAX_ATTACHMENT_BYTES / (1024 * 1024))}
            </p>
            <ul class="attachments__list" aria-label="Attached files">
                // Re-rendered whole: a list this short does not need keyed updates, nor their code.
                {move || files.uploads.get().into_iter().map(|upload| view! { <UploadedFile upload files /> }).collect_view()}
            </ul>
            {move || files.busy().then(|| view! { <p class="attachments__busy" role="status">"Uploading…"</p> })}
            {move || error.get().map(|message| view! { <p class="form__error" role="alert">{message}</p> })}
        </div>
    }
}

/// Sends each chosen file as its own upload. Downloaded with the first file picked: most
/// requests and replies carry none.
#[lazy(fallible)]
fn upload(files: Attachments, error: RwSignal<Option<String>>, chosen: web_sys::FileList) -> Result<(), SplitLoaderError> {
    for index in 0..chosen.length() {
        let Some(file) = chosen.get(index) else { continue };
        let name = file.name();
        if files.uploads.read_untracked().len() + files.uploading.get_untracked() >= MAX_ATTACHMENTS {
            error.set(Some(format!("A message carries at most {MAX_ATTACHMENTS} files.")));
            break;
        }
        if file.size() as u64 > MAX_ATTACHMENT_BYTES {
            error.set(Some(too_large_message(&name)));
            continue;
        }
        let Ok(form) = web_sys::FormData::new() else { continue };
        if form.append_with_blob_and_filename("file", &file, &name).is_err() {
            continue;
        }
        files.uploading.update(|count| *count += 1);
        spawn_local(async move {
            match upload_attachment(form.into()).await {
                Ok(upload) => files.uploads.update(|uploads| uploads.push(upload)),
                Err(refused) => error.set(Some(refused.to_string())),
            }
            files.uploading.update(|count| *count -= 1);
        });
    }
    Ok(())
}

#[component]
fn UploadedFile(upload: Upload, files: Attachments) -> impl IntoView {
    let token = upload.token.clone();
    let remove = move |_| files.uploads.update(|uploads| uploads.retain(|kept| kept.token != token));
    view! {
        <li class="attachments__file">
            <span class="attachments__name">{upload.file_name.clone()}</span>
            <span class="attachments__size">{file_size(upload.size_bytes)}</span>
            <button class="button button--quiet" type="button" on:click=remove>
                "Remove" <span class="visually-hidden">" " {upload.file_name.clone()}</span>
            </button>
        </li>
    }
}

/// The files sent with a message, as download links.
pub fn attachment_links(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="message__files" aria-label="Attachments">
                {attachments.into_iter().map(|attachment| view! {
                    <li>
                        <a href=attachment.href() download=attachment.file_name.clone()>{attachment.file_name.clone()}</a>
                        <span class="message__file-size">{file_size(attachment.size_bytes)}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}
