#include "ui/widgets/trainingpanel.h"

#include "core/common/error.h"
#include "core/model/model.h"
#include "ui/document/project.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace nym::ui {

struct TrainingPanel::Knob
{
    QString field;
    QWidget *widget = nullptr;          // QSpinBox, QDoubleSpinBox or QCheckBox
    std::function<void(const TrainOptions &)> load;   // options → widget
    std::function<void(TrainOptions &)> store;        // widget → options
};

namespace {

constexpr const char *kCustom = "custom";

QString number(double v, int decimals)
{
    return decimals == 0 ? QString::number(static_cast<long long>(v)) : QString::number(v, 'g', 6);
}

}   // namespace

TrainingPanel::TrainingPanel(Project *project, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
    , m_preset(new QComboBox(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *top = new QFormLayout;
    for (const auto &name : TrainOptions::presetNames())
        m_preset->addItem(QString::fromStdString(name));
    m_preset->addItem(QString::fromLatin1(kCustom));
    m_preset->setToolTip(tr("<p>A named set of the method's settings.</p><ul>"
                            "<li><b>scnym-default</b>: scNym's defaults with Nym Studio's robustness fixes "
                            "(at least 20 steps per epoch, tempered distribution alignment).</li>"
                            "<li><b>reference-exact</b>: the reference scNym schedule exactly.</li>"
                            "<li><b>new-identity-discovery</b>: confident pseudolabels only, so cell types the "
                            "training data lacks are not forced into known classes.</li>"
                            "<li><b>no-adversary</b>: MixMatch without the domain adversary.</li>"
                            "<li><b>supervised</b>: labelled cells only.</li></ul>"
                            "<p>Changing any setting below shows <b>custom</b>.</p>"));
    top->addRow(tr("&Preset:"), m_preset);
    auto *reset = new QPushButton(tr("Reset to Preset"), this);
    m_reset = reset;
    reset->setToolTip(tr("Put every setting back to the chosen preset's value (seed and threads are kept)."));
    top->addRow(QString(), reset);
    outer->addLayout(top);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *inner = new QWidget(scroll);
    auto *col = new QVBoxLayout(inner);
    const auto group = [&](const QString &title) {
        auto *box = new QGroupBox(title, inner);
        auto *form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
        col->addWidget(box);
        return form;
    };
    using O = TrainOptions;
    constexpr double big = 100000;

    QFormLayout *f = group(tr("Schedule"));
    addNumber(f, QStringLiteral("epochs"), tr("Epochs"),
        tr("Passes over the labelled cells. More trains longer; training stops early when model selection stops "
           "improving."),
        1, big, 0, [](const O &o) { return o.epochs; }, [](O &o, double v) { o.epochs = static_cast<int>(v); });
    addNumber(f, QStringLiteral("batchSize"), tr("Batch size"),
        tr("Labelled cells per optimisation step (the same number of target cells is drawn). Larger steps are "
           "smoother but fewer."),
        8, 8192, 0, [](const O &o) { return o.batchSize; }, [](O &o, double v) { o.batchSize = static_cast<int>(v); });
    addNumber(f, QStringLiteral("minStepsPerEpoch"), tr("Minimum steps per epoch"),
        tr("An epoch takes at least this many steps even when the labelled data is small. 0 = one pass exactly as "
           "the reference scNym (whose accuracy then swings between seeds on small data)."),
        0, big, 0, [](const O &o) { return o.minStepsPerEpoch; },
        [](O &o, double v) { o.minStepsPerEpoch = static_cast<int>(v); });
    addNumber(f, QStringLiteral("minBatchSize"), tr("Smallest batch"),
        tr("When the labelled cells are too few for the minimum steps per epoch at the batch size, the batch shrinks "
           "so that an epoch is about one pass over them, but not below this. The batch size or more keeps it."),
        2, 8192, 0, [](const O &o) { return o.minBatchSize; },
        [](O &o, double v) { o.minBatchSize = static_cast<int>(v); });
    addNumber(f, QStringLiteral("patience"), tr("Early-stopping patience"),
        tr("Stop when the model-selection loss has not improved for this many epochs. 0 = automatic: 5, or 15 when "
           "the model-selection split has fewer than 20 cells (its loss is too noisy to stop on quickly)."),
        0, big, 0, [](const O &o) { return o.patience; }, [](O &o, double v) { o.patience = static_cast<int>(v); },
        tr("automatic"));
    addNumber(f, QStringLiteral("minEpochForSelection"), tr("First selection epoch"),
        tr("Model selection starts at this epoch; earlier weights are never kept."), 0, big, 0,
        [](const O &o) { return o.minEpochForSelection; },
        [](O &o, double v) { o.minEpochForSelection = static_cast<int>(v); });
    addNumber(f, QStringLiteral("learningRate"), tr("Learning rate"),
        tr("Adadelta learning rate (scales every update). Larger learns faster but can diverge."), 0.001, 100, 3,
        [](const O &o) { return o.learningRate; }, [](O &o, double v) { o.learningRate = v; });
    addNumber(f, QStringLiteral("weightDecay"), tr("Weight decay"),
        tr("L2 penalty on the weights. Larger keeps the network simpler."), 0, 1, 5,
        [](const O &o) { return o.weightDecay; }, [](O &o, double v) { o.weightDecay = v; });
    addNumber(f, QStringLiteral("dropout"), tr("Dropout"),
        tr("Probability of dropping a hidden unit during training. Larger regularises more."), 0, 0.9, 2,
        [](const O &o) { return o.classifier.dropout; }, [](O &o, double v) { o.classifier.dropout = v; });
    addNumber(f, QStringLiteral("augmentDropProbability"), tr("Augmentation: drop counts"),
        tr("Each detected gene of a labelled cell is dropped with this probability before training on it "
           "(simulates shallower sequencing). 0 turns augmentation off."),
        0, 0.9, 2, [](const O &o) { return o.augmentDropProbability; },
        [](O &o, double v) { o.augmentDropProbability = v; });

    f = group(tr("MixMatch (semi-supervised)"));
    addSwitch(f, QStringLiteral("mixMatch"), tr("Use MixMatch"),
        tr("Learn from the unlabelled target cells too: pseudolabels, MixUp and a consistency loss."),
        [](const O &o) { return o.mixMatch; }, [](O &o, bool v) { o.mixMatch = v; });
    addNumber(f, QStringLiteral("unsupervisedWeight"), tr("Weight"),
        tr("Maximum weight of the consistency loss on target cells. Larger trusts the target's pseudolabels more."),
        0, 100, 2, [](const O &o) { return o.unsupervisedWeight; }, [](O &o, double v) { o.unsupervisedWeight = v; });
    addNumber(f, QStringLiteral("unsupervisedRampEpochs"), tr("Ramp (epochs)"),
        tr("The weight rises linearly from 0 to its maximum over this many epochs."), 0, big, 0,
        [](const O &o) { return o.unsupervisedRampEpochs; },
        [](O &o, double v) { o.unsupervisedRampEpochs = static_cast<int>(v); });
    addSwitch(f, QStringLiteral("targetPartnerRamp"), tr("Ramp in target partners"),
        tr("Labelled cells are mixed with target cells, and so learn from their pseudolabels, at the pace of the "
           "ramp above instead of fully from the first step: the network's early guesses on a shifted target then "
           "cannot teach it a wrong cell type. Off = the reference's MixMatch."),
        [](const O &o) { return o.targetPartnerRamp; }, [](O &o, bool v) { o.targetPartnerRamp = v; });
    addNumber(f, QStringLiteral("mixupAlpha"), tr("MixUp α"),
        tr("MixUp mixes cells with λ ~ Beta(α, α), keeping the dominant cell. Smaller α mixes less."), 0.01, 10, 2,
        [](const O &o) { return o.mixupAlpha; }, [](O &o, double v) { o.mixupAlpha = v; });
    addNumber(f, QStringLiteral("sharpenTemperature"), tr("Sharpening T"),
        tr("Pseudolabels are sharpened as q^(1/T). Smaller T makes them more decisive."), 0.05, 10, 2,
        [](const O &o) { return o.sharpenTemperature; }, [](O &o, double v) { o.sharpenTemperature = v; });
    addNumber(f, QStringLiteral("pseudolabelThreshold"), tr("Pseudolabel threshold"),
        tr("Target cells whose predicted confidence is below this are left out of MixUp and the consistency loss. "
           "0 uses every cell; new-identity-discovery uses 0.9."),
        0, 0.99, 2, [](const O &o) { return o.pseudolabelThreshold; },
        [](O &o, double v) { o.pseudolabelThreshold = v; });
    addSwitch(f, QStringLiteral("distributionAlignment"), tr("Distribution alignment"),
        tr("Nym Studio's fix (after ReMixMatch): pseudolabels are nudged towards the training data's class mix so "
           "self-training cannot empty a class. Off in reference-exact."),
        [](const O &o) { return o.distributionAlignment; }, [](O &o, bool v) { o.distributionAlignment = v; });
    addNumber(f, QStringLiteral("alignmentStrength"), tr("Alignment strength"),
        tr("How strongly pseudolabels are pulled to the training class mix: 1 assumes the target has the same mix, "
           "smaller tolerates different compositions."),
        0, 1, 2, [](const O &o) { return o.alignmentStrength; }, [](O &o, double v) { o.alignmentStrength = v; });
    addNumber(f, QStringLiteral("alignmentDecayEpochs"), tr("Alignment fades over (epochs)"),
        tr("The alignment strength falls to 0 over this many epochs: it guards the first epochs, then lets a target "
           "whose class mix really differs keep it. 0 keeps it for the whole training."),
        0, big, 0, [](const O &o) { return o.alignmentDecayEpochs; },
        [](O &o, double v) { o.alignmentDecayEpochs = static_cast<int>(v); });

    f = group(tr("Domain adversary"));
    addSwitch(f, QStringLiteral("adversary"), tr("Use the adversary"),
        tr("A second network tries to tell the domains (training vs target, or batches) apart from the embedding; "
           "gradient reversal teaches the classifier to make them indistinguishable."),
        [](const O &o) { return o.adversary; }, [](O &o, bool v) { o.adversary = v; });
    addNumber(f, QStringLiteral("adversaryWeight"), tr("Weight"),
        tr("Maximum gradient-reversal weight. Larger removes more domain signal but can also remove biology."), 0, 10,
        3, [](const O &o) { return o.adversaryWeight; }, [](O &o, double v) { o.adversaryWeight = v; });
    addNumber(f, QStringLiteral("adversaryRampEpochs"), tr("Ramp (epochs)"),
        tr("The weight rises along a sigmoid to its maximum over this many epochs."), 0, big, 0,
        [](const O &o) { return o.adversaryRampEpochs; },
        [](O &o, double v) { o.adversaryRampEpochs = static_cast<int>(v); });
    addSwitch(f, QStringLiteral("lowConfidenceOutOfAdversary"), tr("Skip unsure target cells"),
        tr("Leave target cells below the pseudolabel threshold out of the adversary too (new-identity-discovery)."),
        [](const O &o) { return o.lowConfidenceOutOfAdversary; },
        [](O &o, bool v) { o.lowConfidenceOutOfAdversary = v; });

    f = group(tr("Run"));
    addSwitch(f, QStringLiteral("weightAveraging"), tr("Average the weights"),
        tr("Keep the mean of the network's weights from the first model-selection epoch to the stop (steadier on "
           "small training sets) instead of the one epoch with the lowest model-selection loss."),
        [](const O &o) { return o.weightAveraging; }, [](O &o, bool v) { o.weightAveraging = v; });
    addSwitch(f, QStringLiteral("temperatureScaling"), tr("Temperature scaling"),
        tr("After training, fit one temperature on held-aside labelled cells so confidences match accuracy."),
        [](const O &o) { return o.temperatureScaling; }, [](O &o, bool v) { o.temperatureScaling = v; });
    addSwitch(f, QStringLiteral("priorCorrection"), tr("Correct for the target's cell-type mix"),
        tr("When labelling, estimate each file's cell-type proportions and adjust the probabilities to them "
           "(EM, Saerens et al. 2002), so a type that is rarer there than in the training data is not over-called "
           "among ambiguous cells. It assumes probabilities calibrated on the target, so it is left out, with a note, "
           "for a file whose mix is not clearly different from the training data's, on whose mix the model's two "
           "members disagree, or where it would relabel more than a quarter of the cells."),
        [](const O &o) { return o.priorCorrection; }, [](O &o, bool v) { o.priorCorrection = v; });
    addNumber(f, QStringLiteral("linearShare"), tr("Linear member share"),
        tr("A logistic regression is fitted with the network and mixed into its probabilities; it is also the "
           "second opinion the cell inspector shows. -1 = chosen after training (an even mix unless the network or "
           "the regression alone clearly explains the labelled cells better from the target's labels); 0 = the "
           "network alone (reference-exact); 1 = the regression alone."),
        -1, 1, 2, [](const O &o) { return o.linearShare; }, [](O &o, double v) { o.linearShare = v < 0 ? -1.0 : v; });
    addNumber(f, QStringLiteral("seed"), tr("Seed"),
        tr("Random seed. The same data, settings, seed and one thread give identical results."), 0,
        std::numeric_limits<int>::max(), 0, [](const O &o) { return static_cast<double>(o.seed); },
        [](O &o, double v) { o.seed = static_cast<std::uint64_t>(v); });
    addNumber(f, QStringLiteral("threads"), tr("Threads"), tr("CPU threads for training. 0 = all cores."), 0, 256, 0,
        [](const O &o) { return o.threads; }, [](O &o, double v) { o.threads = static_cast<int>(v); });
    f = group(tr("Advanced"));
    addNumber(f, QStringLiteral("hiddenLayers"), tr("Hidden layers"),
        tr("Hidden Linear blocks of the classifier (each Linear, BatchNorm, Dropout, ReLU)."), 1, 16, 0,
        [](const O &o) { return o.classifier.hiddenLayers; },
        [](O &o, double v) { o.classifier.hiddenLayers = static_cast<int>(v); });
    addNumber(f, QStringLiteral("hiddenSize"), tr("Hidden width"),
        tr("Units in every hidden layer; also the size of the embedding."), 2, 8192, 0,
        [](const O &o) { return o.classifier.hiddenSize; },
        [](O &o, double v) { o.classifier.hiddenSize = static_cast<int>(v); });
    addNumber(f, QStringLiteral("adversaryHidden"), tr("Adversary width"), tr("Hidden units of the domain adversary."),
        1, 8192, 0, [](const O &o) { return o.classifier.adversaryHidden; },
        [](O &o, double v) { o.classifier.adversaryHidden = static_cast<int>(v); });
    addNumber(f, QStringLiteral("batchNormMomentum"), tr("BatchNorm momentum"),
        tr("How fast BatchNorm's running statistics follow the batches."), 0.001, 1, 3,
        [](const O &o) { return o.classifier.batchNormMomentum; },
        [](O &o, double v) { o.classifier.batchNormMomentum = v; });
    addNumber(f, QStringLiteral("batchNormEps"), tr("BatchNorm ε"), tr("Added to the variance for stability."),
        1e-8, 0.1, 8, [](const O &o) { return o.classifier.batchNormEps; },
        [](O &o, double v) { o.classifier.batchNormEps = v; });
    addNumber(f, QStringLiteral("rho"), tr("Adadelta ρ"), tr("Decay of Adadelta's running averages."), 0.01, 0.999,
        3, [](const O &o) { return o.rho; }, [](O &o, double v) { o.rho = v; });
    addNumber(f, QStringLiteral("adadeltaEps"), tr("Adadelta ε"), tr("Added inside Adadelta's square roots."), 1e-10,
        0.01, 10, [](const O &o) { return o.adadeltaEps; }, [](O &o, double v) { o.adadeltaEps = v; });
    addNumber(f, QStringLiteral("modelSelectionFraction"), tr("Model-selection share"),
        tr("Labelled cells set aside to choose the best epoch and fit the temperature."), 0.01, 0.49, 2,
        [](const O &o) { return o.modelSelectionFraction; }, [](O &o, double v) { o.modelSelectionFraction = v; });
    addNumber(f, QStringLiteral("heldOutFraction"), tr("Held-out share"),
        tr("Labelled cells never trained on, for the final accuracy and calibration check. 0 = none."), 0, 0.49, 2,
        [](const O &o) { return o.heldOutFraction; }, [](O &o, double v) { o.heldOutFraction = v; });
    col->addStretch(1);
    scroll->setWidget(inner);
    outer->addWidget(scroll, 1);

    render();
    connect(m_project, &Project::trainOptionsChanged, this, &TrainingPanel::render);

    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        const QString name = m_preset->itemText(index);
        if (name != QLatin1String(kCustom))
            applyPreset(name);
        else
            render();   // "custom" is a state, not a choice: show what the options are
    });
    connect(reset, &QPushButton::clicked, this,
        [this] { applyPreset(QString::fromStdString(m_project->basePreset())); });
}

TrainingPanel::~TrainingPanel() = default;

void TrainingPanel::addNumber(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
    double min, double max, int decimals, std::function<double(const TrainOptions &)> get,
    std::function<void(TrainOptions &, double)> set, const QString &minimumText)
{
    const double def = get(TrainOptions::fromPreset("scnym-default"));
    const auto shown = [&](double v) { return v == min && !minimumText.isEmpty() ? minimumText : number(v, decimals); };
    const QString full = QStringLiteral("<p>%1</p><p>Range %2 to %3; scNym default %4.</p>")
                             .arg(tip.toHtmlEscaped(), shown(min), number(max, decimals), shown(def));
    Knob k;
    k.field = field;
    if (decimals == 0) {
        auto *box = new QSpinBox(this);
        box->setRange(static_cast<int>(min), static_cast<int>(std::min<double>(max, std::numeric_limits<int>::max())));
        box->setGroupSeparatorShown(max >= 10000);
        box->setSpecialValueText(minimumText);
        k.widget = box;
        k.load = [box, get](const TrainOptions &o) { box->setValue(static_cast<int>(get(o))); };
        k.store = [box, set](TrainOptions &o) { set(o, box->value()); };
        connect(box, &QSpinBox::valueChanged, this, &TrainingPanel::knobsChanged);
    } else {
        auto *box = new QDoubleSpinBox(this);
        box->setDecimals(decimals);
        box->setRange(min, max);
        box->setSingleStep(max <= 1 ? 0.05 : 0.1);
        k.widget = box;
        k.load = [box, get](const TrainOptions &o) { box->setValue(get(o)); };
        k.store = [box, set](TrainOptions &o) { set(o, box->value()); };
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::knobsChanged);
    }
    k.widget->setToolTip(full);
    k.widget->setObjectName(field);
    k.widget->setMinimumWidth(110);
    auto *l = new QLabel(label + QLatin1Char(':'), this);
    l->setToolTip(full);
    l->setBuddy(k.widget);
    form->addRow(l, k.widget);
    m_knobs.push_back(std::move(k));
}

void TrainingPanel::addSwitch(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
    std::function<bool(const TrainOptions &)> get, std::function<void(TrainOptions &, bool)> set)
{
    const bool def = get(TrainOptions::fromPreset("scnym-default"));
    auto *box = new QCheckBox(label, this);
    box->setToolTip(QStringLiteral("<p>%1</p><p>scNym default: %2.</p>")
                        .arg(tip.toHtmlEscaped(), def ? tr("on") : tr("off")));
    box->setObjectName(field);
    Knob k;
    k.field = field;
    k.widget = box;
    k.load = [box, get](const TrainOptions &o) { box->setChecked(get(o)); };
    k.store = [box, set](TrainOptions &o) { set(o, box->isChecked()); };
    connect(box, &QCheckBox::toggled, this, &TrainingPanel::knobsChanged);
    form->addRow(box);
    m_knobs.push_back(std::move(k));
}

const TrainOptions &TrainingPanel::options() const
{
    return m_project->trainOptions();
}

void TrainingPanel::applyPreset(const QString &name)
{
    try {
        m_project->applyPreset(name.toStdString());
    } catch (const Error &) {
        render();   // an unknown name (never offered): show what is in force
    }
}

QString TrainingPanel::presetText() const
{
    return m_preset->currentText();
}

bool TrainingPanel::setKnob(const QString &field, double value)
{
    QWidget *w = knobWidget(field);
    if (auto *s = qobject_cast<QSpinBox *>(w))
        s->setValue(static_cast<int>(value));
    else if (auto *d = qobject_cast<QDoubleSpinBox *>(w))
        d->setValue(value);
    else if (auto *c = qobject_cast<QCheckBox *>(w))
        c->setChecked(value != 0);
    else
        return false;
    return true;
}

QWidget *TrainingPanel::knobWidget(const QString &field) const
{
    for (const auto &k : m_knobs)
        if (k.field == field)
            return k.widget;
    return nullptr;
}

void TrainingPanel::setRunning(bool running)
{
    m_running = running;
    m_preset->setEnabled(!running);
    m_reset->setEnabled(!running);
    updateEnabled();
}

void TrainingPanel::knobsChanged()
{
    if (m_updating)
        return;
    TrainOptions o = m_project->trainOptions();
    for (const auto &k : m_knobs)
        k.store(o);
    m_project->setTrainOptions(std::move(o));   // announces the change; render() follows
}

void TrainingPanel::render()
{
    const TrainOptions &o = m_project->trainOptions();
    m_updating = true;
    for (const auto &k : m_knobs)
        k.load(o);
    const int i = m_preset->findText(QString::fromStdString(o.preset));
    if (i >= 0)
        m_preset->setCurrentIndex(i);
    m_updating = false;
    updateEnabled();
}

void TrainingPanel::updateEnabled()
{
    const TrainOptions &o = m_project->trainOptions();
    // Knobs of a switched-off part are greyed out, not hidden, so the user sees what would apply.
    static const QStringList mix = {QStringLiteral("unsupervisedWeight"), QStringLiteral("unsupervisedRampEpochs"),
        QStringLiteral("mixupAlpha"), QStringLiteral("sharpenTemperature"), QStringLiteral("pseudolabelThreshold"),
        QStringLiteral("distributionAlignment"), QStringLiteral("alignmentStrength"),
        QStringLiteral("alignmentDecayEpochs")};
    static const QStringList alignment = {QStringLiteral("alignmentStrength"), QStringLiteral("alignmentDecayEpochs")};
    static const QStringList adv = {QStringLiteral("adversaryWeight"), QStringLiteral("adversaryRampEpochs"),
        QStringLiteral("lowConfidenceOutOfAdversary")};
    for (const auto &k : m_knobs) {
        bool on = !m_running;
        if (mix.contains(k.field))
            on = on && o.mixMatch && (!alignment.contains(k.field) || o.distributionAlignment);
        if (adv.contains(k.field))
            on = on && o.adversary;
        k.widget->setEnabled(on);
    }
}

}   // namespace nym::ui
