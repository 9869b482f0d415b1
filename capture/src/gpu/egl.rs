//! EGL, loaded at run time: picking a display (a DRM device, Mesa's surfaceless
//! platform, or an X connection), a GLES 3 context, and DMA-BUF import into EGLImages.

use std::ffi::{c_void, CStr};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use khronos_egl as egl;

use super::gbm::Gbm;
use crate::drm::{modifier, Dmabuf};
use crate::format::fourcc_name;
use crate::{Error, Result};

type Instance = egl::DynamicInstance<egl::EGL1_5>;

// Extension enums (EGL/eglext.h); khronos-egl only has the core ones.
const PLATFORM_DEVICE: egl::Enum = 0x313F;
const PLATFORM_GBM: egl::Enum = 0x31D7;
const PLATFORM_XCB: egl::Enum = 0x31DC;
const PLATFORM_XCB_SCREEN: egl::Attrib = 0x31DE;
const PLATFORM_SURFACELESS: egl::Enum = 0x31DD;
const DRM_DEVICE_FILE: egl::Int = 0x3233;
const DRM_RENDER_NODE_FILE: egl::Int = 0x3377;
const LINUX_DMA_BUF: egl::Enum = 0x3270;
const LINUX_DRM_FOURCC: egl::Attrib = 0x3271;
/// Per plane: fd, offset, pitch, modifier low and high word.
const PLANE_ATTRIBS: [[egl::Attrib; 5]; 4] = [
    [0x3272, 0x3273, 0x3274, 0x3443, 0x3444],
    [0x3275, 0x3276, 0x3277, 0x3445, 0x3446],
    [0x3278, 0x3279, 0x327A, 0x3447, 0x3448],
    [0x3440, 0x3441, 0x3442, 0x3449, 0x344A],
];

type QueryDevices = unsafe extern "system" fn(egl::Int, *mut *mut c_void, *mut egl::Int) -> u32;
type QueryDeviceString = unsafe extern "system" fn(*mut c_void, egl::Int) -> *const i8;
type QueryDmaBufFormats =
    unsafe extern "system" fn(*mut c_void, egl::Int, *mut egl::Int, *mut egl::Int) -> u32;
type QueryDmaBufModifiers = unsafe extern "system" fn(
    *mut c_void,
    egl::Int,
    egl::Int,
    *mut u64,
    *mut u32,
    *mut egl::Int,
) -> u32;
/// `glEGLImageTargetTexture2DOES`: GL_OES_EGL_image, not in glow.
pub type ImageTargetTexture = unsafe extern "system" fn(u32, *const c_void);

/// libEGL, loaded once: unloading Mesa while a process runs is not safe.
fn instance() -> Result<Arc<Instance>> {
    static EGL: OnceLock<std::result::Result<Arc<Instance>, String>> = OnceLock::new();
    EGL.get_or_init(|| {
        // SAFETY: libEGL.so.1 is the system's EGL loader; its symbols have the EGL 1.5 types.
        unsafe { Instance::load_required() }
            .map(Arc::new)
            .map_err(|e| {
                format!(
                    "cannot load libEGL.so.1 with EGL 1.5: {e} (install libegl1 and libegl-mesa0)"
                )
            })
    })
    .clone()
    .map_err(Error::unsupported)
}

/// How many renderers use each initialised EGLDisplay. EGL hands out one display per
/// platform and native display, so renderers share them, and terminating one under
/// another renderer would break it.
static DISPLAY_USERS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

fn egl_error(what: &str, e: egl::Error) -> Error {
    Error::unsupported(format!("{what} failed: {e}")).because(e)
}

/// Looks up an extension function; `None` when the driver lacks it.
fn proc_address<F: Copy>(egl: &Instance, name: &str) -> Option<F> {
    let f = egl.get_proc_address(name)?;
    // SAFETY: every caller names `F` as the C prototype of `name` (a function pointer).
    Some(unsafe { std::mem::transmute_copy::<extern "system" fn(), F>(&f) })
}

fn has_extension(list: &str, name: &str) -> bool {
    list.split_ascii_whitespace().any(|e| e == name)
}

/// Which native platform the display is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    /// Offscreen: a DRM device or Mesa's surfaceless platform.
    Headless,
    /// An X connection (libxcb's `xcb_connection_t`) and screen number.
    Xcb(*mut c_void, usize),
}

/// An initialised EGL display with a current GLES 3 context (and window surface).
pub struct Egl {
    egl: Arc<Instance>,
    display: egl::Display,
    config: egl::Config,
    context: Option<egl::Context>,
    surface: Option<egl::Surface>,
    /// Which platform and device, for `describe`.
    pub platform: String,
    /// The display's extensions.
    extensions: String,
    images: Vec<egl::Image>,
    /// The GBM device a GBM display runs on; dropped after the display is terminated.
    gbm: Option<Gbm>,
}

impl Egl {
    /// Opens a display for `native` (for headless, on `drm_device` when EGL knows it),
    /// and creates a GLES 3 context; it is made current by `make_current`.
    pub fn open(native: Native, drm_device: Option<&Path>) -> Result<Egl> {
        let egl = instance()?;
        let client = egl
            .query_string(None, egl::EXTENSIONS)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (display, platform, gbm) = match native {
            Native::Xcb(connection, screen) => {
                if !has_extension(&client, "EGL_EXT_platform_xcb") {
                    return Err(Error::unsupported(
                        "EGL lacks EGL_EXT_platform_xcb, needed to draw into an X window \
                         (Mesa 21 or newer has it)",
                    ));
                }
                let attribs = [PLATFORM_XCB_SCREEN, screen, egl::ATTRIB_NONE];
                // SAFETY: `connection` is a live xcb_connection_t owned by the caller,
                // which keeps it open until this display is terminated.
                let display =
                    unsafe { egl.get_platform_display(PLATFORM_XCB, connection, &attribs) }
                        .map_err(|e| egl_error("eglGetPlatformDisplay(xcb)", e))?;
                (display, "X11 (EGL_EXT_platform_xcb)".to_string(), None)
            }
            Native::Headless => headless_display(&egl, &client, drm_device)?,
        };
        initialize(&egl, display)?;
        let config = match choose_config(display, matches!(native, Native::Xcb(..))) {
            Ok(config) => config,
            Err(e) => {
                release(&egl, display);
                return Err(e);
            }
        };
        // From here on, dropping `this` releases the display.
        let mut this = Egl {
            egl,
            display,
            config,
            context: None,
            surface: None,
            platform,
            extensions: String::new(),
            images: Vec::new(),
            gbm,
        };
        this.extensions = this
            .egl
            .query_string(Some(display), egl::EXTENSIONS)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(vendor) = this
            .egl
            .query_string(Some(display), egl::VENDOR)
            .ok()
            .and_then(|v| v.to_str().ok())
        {
            this.platform = format!("{}, {vendor}", this.platform);
        }
        this.egl
            .bind_api(egl::OPENGL_ES_API)
            .map_err(|e| egl_error("eglBindAPI(GLES)", e))?;
        let attribs = [egl::CONTEXT_MAJOR_VERSION, 3, egl::NONE];
        this.context = Some(
            this.egl
                .create_context(display, this.config, None, &attribs)
                .map_err(|e| egl_error("creating a GLES 3 context", e))?,
        );
        Ok(this)
    }

    fn instance(&self) -> &Instance {
        &self.egl
    }

    /// The visual X windows need to take this display's surfaces.
    pub fn native_visual(&self) -> Option<u32> {
        self.egl
            .get_config_attrib(self.display, self.config, egl::NATIVE_VISUAL_ID)
            .ok()
            .and_then(|v| u32::try_from(v).ok())
    }

    /// Creates a window surface for an X window and makes it current, vsynced.
    pub fn attach_window(&mut self, mut window: u32) -> Result<()> {
        // SAFETY: EGL_EXT_platform_xcb takes a pointer to the xcb_window_t, read during
        // the call; the window outlives the surface (Renderer's drop order).
        let surface = unsafe {
            self.egl.create_platform_window_surface(
                self.display,
                self.config,
                (&mut window as *mut u32).cast(),
                &[egl::ATTRIB_NONE],
            )
        }
        .map_err(|e| egl_error("creating the window's EGL surface", e))?;
        self.surface = Some(surface);
        self.make_current()?;
        // Vsync: a driver that cannot pace swaps still draws correctly.
        let _ = self.egl.swap_interval(self.display, 1);
        Ok(())
    }

    /// Makes this context current on the calling thread, unless it already is (another
    /// renderer on the same thread may have taken over).
    pub fn make_current(&self) -> Result<()> {
        if self.context.is_some() && self.egl.get_current_context() == self.context {
            return Ok(());
        }
        self.egl
            .make_current(self.display, self.surface, self.surface, self.context)
            .map_err(|e| egl_error("eglMakeCurrent", e))
    }

    pub fn swap_buffers(&self) -> Result<()> {
        let Some(surface) = self.surface else {
            return Ok(());
        };
        self.egl
            .swap_buffers(self.display, surface)
            .map_err(|e| match e {
                egl::Error::BadNativeWindow | egl::Error::BadSurface => Error::vanished(format!(
                    "the presenting window is gone (eglSwapBuffers: {e})"
                )),
                egl::Error::ContextLost => {
                    Error::vanished("the GPU context was lost (eglSwapBuffers)")
                }
                e => egl_error("eglSwapBuffers", e),
            })
    }

    /// Looks up a GL function for glow.
    pub fn gl_proc(&self, name: &str) -> *const c_void {
        self.egl
            .get_proc_address(name)
            .map_or(std::ptr::null(), |f| f as *const c_void)
    }

    pub fn image_target_texture(&self) -> Option<ImageTargetTexture> {
        proc_address(self.instance(), "glEGLImageTargetTexture2DOES")
    }

    /// Why this display cannot import `fourcc` with `modifier` as a GL_TEXTURE_2D, if it cannot.
    pub fn check_dmabuf(
        &self,
        fourcc: u32,
        modifier: Option<u64>,
    ) -> std::result::Result<(), String> {
        if !has_extension(&self.extensions, "EGL_EXT_image_dma_buf_import") {
            return Err(format!(
                "the EGL display ({}) lacks EGL_EXT_image_dma_buf_import",
                self.platform
            ));
        }
        let with_modifiers =
            has_extension(&self.extensions, "EGL_EXT_image_dma_buf_import_modifiers");
        if !with_modifiers {
            // Without the extension only implicit (for dumb buffers: linear) layouts import.
            return match modifier {
                None | Some(modifier::LINEAR) => Ok(()),
                Some(m) => Err(format!(
                    "modifier {} needs EGL_EXT_image_dma_buf_import_modifiers",
                    modifier::name(m)
                )),
            };
        }
        let formats = self.dmabuf_formats()?;
        if !formats.contains(&fourcc) {
            return Err(format!(
                "the driver does not import {} buffers (it takes {})",
                fourcc_name(fourcc),
                formats
                    .iter()
                    .map(|&f| fourcc_name(f))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        let Some(m) = modifier else {
            return Ok(());
        };
        let modifiers = self.dmabuf_modifiers(fourcc)?;
        match modifiers.iter().find(|(candidate, _)| *candidate == m) {
            Some((_, false)) => Ok(()),
            Some((_, true)) => Err(format!(
                "{} with modifier {} imports only as an external texture",
                fourcc_name(fourcc),
                modifier::name(m)
            )),
            // Drivers that list no modifiers still take the linear layout.
            None if modifiers.is_empty() && m == modifier::LINEAR => Ok(()),
            None => Err(format!(
                "the driver does not import {} with modifier {}",
                fourcc_name(fourcc),
                modifier::name(m)
            )),
        }
    }

    fn dmabuf_formats(&self) -> std::result::Result<Vec<u32>, String> {
        let query: QueryDmaBufFormats = proc_address(self.instance(), "eglQueryDmaBufFormatsEXT")
            .ok_or("eglQueryDmaBufFormatsEXT is missing")?;
        let display = self.display.as_ptr();
        let mut count = 0;
        // SAFETY: the prototype of eglQueryDmaBufFormatsEXT; first the count, then
        // at most `count` entries into a buffer of that size.
        unsafe {
            if query(display, 0, std::ptr::null_mut(), &mut count) == 0 {
                return Err("eglQueryDmaBufFormatsEXT failed".into());
            }
            let mut formats = vec![0; usize::try_from(count).unwrap_or(0)];
            if query(display, count, formats.as_mut_ptr(), &mut count) == 0 {
                return Err("eglQueryDmaBufFormatsEXT failed".into());
            }
            formats.truncate(usize::try_from(count).unwrap_or(0));
            Ok(formats.into_iter().map(|f| f as u32).collect())
        }
    }

    /// The modifiers the driver imports `fourcc` with, and whether each is external-only.
    fn dmabuf_modifiers(&self, fourcc: u32) -> std::result::Result<Vec<(u64, bool)>, String> {
        let query: QueryDmaBufModifiers =
            proc_address(self.instance(), "eglQueryDmaBufModifiersEXT")
                .ok_or("eglQueryDmaBufModifiersEXT is missing")?;
        let display = self.display.as_ptr();
        let format = fourcc as egl::Int;
        let null = std::ptr::null_mut();
        let mut count = 0;
        // SAFETY: as in `dmabuf_formats`, with two arrays of `count` entries.
        unsafe {
            if query(display, format, 0, null, null.cast(), &mut count) == 0 {
                return Err("eglQueryDmaBufModifiersEXT failed".into());
            }
            let n = usize::try_from(count).unwrap_or(0);
            let (mut modifiers, mut external) = (vec![0u64; n], vec![0u32; n]);
            if query(
                display,
                format,
                count,
                modifiers.as_mut_ptr(),
                external.as_mut_ptr(),
                &mut count,
            ) == 0
            {
                return Err("eglQueryDmaBufModifiersEXT failed".into());
            }
            let n = usize::try_from(count).unwrap_or(0).min(modifiers.len());
            Ok((0..n).map(|i| (modifiers[i], external[i] != 0)).collect())
        }
    }

    /// Imports a framebuffer's planes as an EGLImage, kept until `destroy_image`.
    pub fn import(&mut self, buf: &Dmabuf) -> Result<egl::Image> {
        if buf.planes.is_empty() || buf.planes.len() > PLANE_ATTRIBS.len() {
            return Err(Error::unsupported(format!(
                "framebuffer {} has {} planes; an import takes 1 to 4",
                buf.fb_id,
                buf.planes.len()
            )));
        }
        let with_modifiers =
            has_extension(&self.extensions, "EGL_EXT_image_dma_buf_import_modifiers");
        let mut attribs: Vec<egl::Attrib> = vec![
            egl::WIDTH as egl::Attrib,
            buf.width as egl::Attrib,
            egl::HEIGHT as egl::Attrib,
            buf.height as egl::Attrib,
            LINUX_DRM_FOURCC,
            buf.fourcc as egl::Attrib,
        ];
        for (plane, names) in buf.planes.iter().zip(PLANE_ATTRIBS) {
            attribs.extend([
                names[0],
                plane.fd.as_raw_fd() as egl::Attrib,
                names[1],
                plane.offset as egl::Attrib,
                names[2],
                plane.pitch as egl::Attrib,
            ]);
            if let (Some(m), true) = (buf.modifier, with_modifiers) {
                attribs.extend([
                    names[3],
                    (m & 0xffff_ffff) as egl::Attrib,
                    names[4],
                    (m >> 32) as egl::Attrib,
                ]);
            }
        }
        attribs.push(egl::ATTRIB_NONE);
        // SAFETY: a DMA-BUF import takes no context and no client buffer; EGL dups the fds.
        let (no_context, no_buffer) = unsafe {
            (
                egl::Context::from_ptr(egl::NO_CONTEXT),
                egl::ClientBuffer::from_ptr(std::ptr::null_mut()),
            )
        };
        let image = self
            .egl
            .create_image(self.display, no_context, LINUX_DMA_BUF, no_buffer, &attribs)
            .map_err(|e| {
                Error::unsupported(format!(
                    "importing framebuffer {} ({}x{} {}) as an EGLImage failed: {e}",
                    buf.fb_id,
                    buf.width,
                    buf.height,
                    fourcc_name(buf.fourcc)
                ))
                .because(e)
            })?;
        self.images.push(image);
        Ok(image)
    }

    pub fn destroy_image(&mut self, image: egl::Image) {
        self.images.retain(|&i| i != image);
        let _ = self.egl.destroy_image(self.display, image);
    }
}

impl Drop for Egl {
    fn drop(&mut self) {
        for image in std::mem::take(&mut self.images) {
            let _ = self.egl.destroy_image(self.display, image);
        }
        let _ = self.egl.make_current(self.display, None, None, None);
        if let Some(surface) = self.surface.take() {
            let _ = self.egl.destroy_surface(self.display, surface);
        }
        if let Some(context) = self.context.take() {
            let _ = self.egl.destroy_context(self.display, context);
        }
        release(&self.egl, self.display);
        // Only now that the display is gone may its GBM device go.
        drop(self.gbm.take());
    }
}

/// A display on `drm_device` through GBM (on that very node), else through its EGL
/// device (Mesa opens the render node), else Mesa's surfaceless platform, else the
/// first EGL device (what NVIDIA's driver offers); the description says why the
/// earlier ones were not taken.
fn headless_display(
    egl: &Instance,
    client: &str,
    drm_device: Option<&Path>,
) -> Result<(egl::Display, String, Option<Gbm>)> {
    let mut why = Vec::new();
    match drm_device {
        None => why.push("no DRM device given".to_string()),
        Some(path) => {
            match gbm_display(egl, client, path) {
                Ok((display, gbm)) => {
                    return Ok((display, format!("GBM on {}", path.display()), Some(gbm)))
                }
                Err(e) => why.push(e),
            }
            match device_display(egl, client, Some(path)) {
                Ok((display, name)) => return Ok((display, name, None)),
                Err(e) => why.push(e),
            }
        }
    }
    if has_extension(client, "EGL_MESA_platform_surfaceless") {
        // SAFETY: the surfaceless platform takes no native display.
        let display = unsafe {
            egl.get_platform_display(
                PLATFORM_SURFACELESS,
                std::ptr::null_mut(),
                &[egl::ATTRIB_NONE],
            )
        }
        .map_err(|e| egl_error("eglGetPlatformDisplay(surfaceless)", e))?;
        return Ok((display, format!("surfaceless ({})", why.join("; ")), None));
    }
    why.push("EGL lacks EGL_MESA_platform_surfaceless".into());
    match device_display(egl, client, None) {
        Ok((display, name)) => Ok((display, format!("{name} ({})", why.join("; ")), None)),
        Err(e) => Err(Error::unsupported(format!(
            "no headless EGL display: {}; {e} (install libegl1 and libegl-mesa0)",
            why.join("; ")
        ))),
    }
}

/// A display on the EGL device of `path` (a DRM primary or render node), or on the
/// first device EGL lists when `None`; with the device's name.
fn device_display(
    egl: &Instance,
    client: &str,
    path: Option<&Path>,
) -> std::result::Result<(egl::Display, String), String> {
    let (device, name) = find_device(egl, client, path)?;
    // SAFETY: `device` came from eglQueryDevicesEXT.
    unsafe { egl.get_platform_display(PLATFORM_DEVICE, device, &[egl::ATTRIB_NONE]) }
        .map(|display| (display, format!("EGL device {name}")))
        .map_err(|e| format!("EGL device {name} failed: {e}"))
}

fn gbm_display(
    egl: &Instance,
    client: &str,
    path: &Path,
) -> std::result::Result<(egl::Display, Gbm), String> {
    if !has_extension(client, "EGL_KHR_platform_gbm") {
        return Err("EGL lacks EGL_KHR_platform_gbm".into());
    }
    let gbm = Gbm::open(path).map_err(|e| e.to_string())?;
    // SAFETY: a live gbm_device, kept (in Egl) until the display is terminated.
    let display =
        unsafe { egl.get_platform_display(PLATFORM_GBM, gbm.device(), &[egl::ATTRIB_NONE]) }
            .map_err(|e| format!("EGL on GBM ({}) failed: {e}", path.display()))?;
    Ok((display, gbm))
}

/// The EGL device whose DRM primary or render node is `path` (any device when
/// `None`), and its DRM file name where it has one.
fn find_device(
    egl: &Instance,
    client: &str,
    path: Option<&Path>,
) -> std::result::Result<(*mut c_void, String), String> {
    if !has_extension(client, "EGL_EXT_device_enumeration")
        || !has_extension(client, "EGL_EXT_platform_device")
    {
        return Err(
            "EGL cannot enumerate devices (EGL_EXT_device_enumeration, EGL_EXT_platform_device)"
                .into(),
        );
    }
    let query: QueryDevices =
        proc_address(egl, "eglQueryDevicesEXT").ok_or("eglQueryDevicesEXT is missing")?;
    let query_string: QueryDeviceString =
        proc_address(egl, "eglQueryDeviceStringEXT").ok_or("eglQueryDeviceStringEXT is missing")?;
    let wanted = path.map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
    let mut devices = [std::ptr::null_mut(); 16];
    let mut count = 0;
    // SAFETY: the prototype of eglQueryDevicesEXT, with the array's real length.
    if unsafe { query(devices.len() as egl::Int, devices.as_mut_ptr(), &mut count) } == 0 {
        return Err("eglQueryDevicesEXT failed".into());
    }
    let mut seen = Vec::new();
    for (i, &device) in devices
        .iter()
        .take(usize::try_from(count).unwrap_or(0))
        .enumerate()
    {
        let files: Vec<String> = [DRM_DEVICE_FILE, DRM_RENDER_NODE_FILE]
            .into_iter()
            .filter_map(|name| {
                // SAFETY: `device` is from eglQueryDevicesEXT; the answer is a
                // NUL-terminated string owned by EGL, or null.
                let file = unsafe { query_string(device, name) };
                (!file.is_null()).then(|| {
                    // SAFETY: not null, so the NUL-terminated string the comment above
                    // describes, alive as long as the display.
                    unsafe { CStr::from_ptr(file) }
                        .to_string_lossy()
                        .into_owned()
                })
            })
            .collect();
        let Some(wanted) = &wanted else {
            let name = files.first().cloned().unwrap_or_else(|| format!("#{i}"));
            return Ok((device, name));
        };
        if let Some(file) = files
            .iter()
            .find(|f| std::fs::canonicalize(f).is_ok_and(|f| &f == wanted))
        {
            return Ok((device, file.clone()));
        }
        seen.extend(files);
    }
    Err(match path {
        Some(path) if !seen.is_empty() => format!(
            "EGL lists no device for {} (it has: {})",
            path.display(),
            seen.join(", ")
        ),
        Some(path) => format!("EGL lists no DRM device, so none for {}", path.display()),
        None => "EGL lists no devices".into(),
    })
}

fn initialize(egl: &Instance, display: egl::Display) -> Result<()> {
    let mut users = DISPLAY_USERS.lock().unwrap_or_else(|e| e.into_inner());
    let key = display.as_ptr() as usize;
    if let Some(entry) = users.iter_mut().find(|(d, _)| *d == key) {
        entry.1 += 1;
        return Ok(());
    }
    egl.initialize(display)
        .map_err(|e| egl_error("eglInitialize", e))?;
    users.push((key, 1));
    Ok(())
}

fn release(egl: &Instance, display: egl::Display) {
    let mut users = DISPLAY_USERS.lock().unwrap_or_else(|e| e.into_inner());
    let key = display.as_ptr() as usize;
    if let Some(i) = users.iter().position(|(d, _)| *d == key) {
        users[i].1 -= 1;
        if users[i].1 == 0 {
            users.swap_remove(i);
            let _ = egl.terminate(display);
        }
    }
}

/// A config for GLES 3 with 8-bit colour, for window surfaces when `window` (the
/// caller creates its window with `native_visual`); headless draws into an FBO.
fn choose_config(display: egl::Display, window: bool) -> Result<egl::Config> {
    let egl = instance()?;
    let attribs = [
        egl::RED_SIZE,
        8,
        egl::GREEN_SIZE,
        8,
        egl::BLUE_SIZE,
        8,
        egl::RENDERABLE_TYPE,
        egl::OPENGL_ES3_BIT,
        egl::SURFACE_TYPE,
        if window {
            egl::WINDOW_BIT
        } else {
            egl::DONT_CARE
        },
        egl::NONE,
    ];
    let mut configs = Vec::with_capacity(64);
    egl.choose_config(display, &attribs, &mut configs)
        .map_err(|e| egl_error("eglChooseConfig", e))?;
    // Prefer an opaque config: an X window of depth 24 then shows the screen as is.
    let alpha = |c: &egl::Config| {
        egl.get_config_attrib(display, *c, egl::ALPHA_SIZE)
            .unwrap_or(0)
    };
    configs
        .iter()
        .copied()
        .min_by_key(alpha)
        .ok_or_else(|| Error::unsupported("EGL offers no GLES 3 config with 8-bit colour"))
}
