<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\recipe_box\IngredientScalerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Settings for serving sizes and how scaled quantities are written.
 */
class RecipeBoxSettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly IngredientScalerInterface $scaler,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('recipe_box.ingredient_scaler'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'recipe_box_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['recipe_box.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('recipe_box.settings');
    $form['default_servings'] = [
      '#type' => 'number',
      '#title' => $this->t('Default servings'),
      '#description' => $this->t('Used for recipes that do not state how many people they feed.'),
      '#min' => 1,
      '#default_value' => $config->get('default_servings'),
      '#required' => TRUE,
    ];
    $form['max_servings'] = [
      '#type' => 'number',
      '#title' => $this->t('Largest portion size'),
      '#description' => $this->t('Visitors cannot scale a recipe beyond this many servings.'),
      '#min' => 2,
      '#default_value' => $config->get('max_servings'),
      '#required' => TRUE,
    ];
    $form['fraction_glyphs'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Write scaled quantities as fractions'),
      '#description' => $this->t('For example @fraction instead of @decimal.', [
        '@fraction' => $this->scaler->formatQuantity(1.5),
        '@decimal' => '1.5',
      ]),
      '#default_value' => $config->get('fraction_glyphs'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    if ((int) $form_state->getValue('max_servings') < (int) $form_state->getValue('default_servings')) {
      $form_state->setErrorByName('max_servings', $this->t('The largest portion size must be at least the default of @default servings.', [
        '@default' => $form_state->getValue('default_servings'),
      ]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $this->config('recipe_box.settings')
      ->set('default_servings', (int) $form_state->getValue('default_servings'))
      ->set('max_servings', (int) $form_state->getValue('max_servings'))
      ->set('fraction_glyphs', (bool) $form_state->getValue('fraction_glyphs'))
      ->save();
    parent::submitForm($form, $form_state);
  }

}
